import { describe, expect, it } from "vitest";
import { formatDuration, formatRate, progressOf, recipientsText, stepForReviewCode } from "./labels";

describe("campaign labels", () => {
  it("counts everyone with an outcome as done", () => {
    expect(progressOf({ pending: 5, sending: 1, sent: 10, failed: 2, unknown: 1, skipped: 1 })).toEqual({
      done: 14,
      total: 20,
      share: 0.7,
    });
    expect(progressOf({ pending: 0, sending: 0, sent: 0, failed: 0, unknown: 0, skipped: 0 }).share).toBe(0);
  });

  it("says how long is left in words", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(0.4)).toBe("less than a second");
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(200)).toBe("3 min 20 s");
    expect(formatDuration(3600 * 2 + 300)).toBe("2 h 5 min");
  });

  it("formats rates and recipient counts", () => {
    expect(formatRate(13.64)).toBe("13.6/s");
    expect(formatRate(0)).toBe("—");
    expect(recipientsText(1)).toBe("1 recipient");
    expect(recipientsText(1240)).toBe("1,240 recipients");
  });

  it("sends each review finding to the step that fixes it", () => {
    expect(stepForReviewCode("no_recipients")).toBe("audience");
    expect(stepForReviewCode("empty_subject")).toBe("content");
    expect(stepForReviewCode("no_relay_url")).toBeNull();
  });
});
