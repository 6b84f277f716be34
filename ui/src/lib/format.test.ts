import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatCount,
  formatDate,
  formatDateTime,
  formatNumber,
  formatQuota,
  formatSendRate,
  isUnlimited,
  quotaPercent,
} from "./format";

describe("formatNumber", () => {
  it("groups thousands", () => {
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(999)).toBe("999");
    expect(formatNumber(1234)).toBe("1,234");
    expect(formatNumber(50000)).toBe("50,000");
    expect(formatNumber(1234567)).toBe("1,234,567");
  });
  it("keeps up to two decimals", () => {
    expect(formatNumber(14)).toBe("14");
    expect(formatNumber(14.5)).toBe("14.5");
    expect(formatNumber(0.125)).toBe("0.13");
  });
  it("shows a dash for non-numbers", () => {
    expect(formatNumber(Number.NaN)).toBe("—");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("—");
  });
});

describe("quotaPercent", () => {
  it("computes the used share", () => {
    expect(quotaPercent(0, 200)).toBe(0);
    expect(quotaPercent(50, 200)).toBe(25);
    expect(quotaPercent(1234, 50000)).toBe(2.5);
    expect(quotaPercent(1, 3)).toBe(33.3);
  });
  it("clamps to 0–100", () => {
    expect(quotaPercent(300, 200)).toBe(100);
    expect(quotaPercent(-5, 200)).toBe(0);
  });
  it("has no percentage for unlimited or zero quotas", () => {
    expect(quotaPercent(10, -1)).toBeNull();
    expect(quotaPercent(0, 0)).toBeNull();
  });
});

describe("formatQuota", () => {
  it("shows used of max", () => {
    expect(formatQuota(1234, 50000)).toBe("1,234 of 50,000");
  });
  it("shows unlimited for -1", () => {
    expect(isUnlimited(-1)).toBe(true);
    expect(formatQuota(1234, -1)).toBe("1,234 sent · Unlimited");
  });
});

describe("formatSendRate", () => {
  it("uses emails per second", () => {
    expect(formatSendRate(14)).toBe("14 emails/second");
    expect(formatSendRate(1)).toBe("1 email/second");
    expect(formatSendRate(0.5)).toBe("0.5 emails/second");
  });
});

describe("formatBytes", () => {
  it("uses the unit a file manager would", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(14 * 1024)).toBe("14 KB");
    expect(formatBytes(3.24 * 1024 * 1024)).toBe("3.2 MB");
    expect(formatBytes(10 * 1024 * 1024)).toBe("10 MB");
  });
});

describe("formatDate", () => {
  it("keeps text that is not a date", () => {
    expect(formatDate("soon")).toBe("soon");
    expect(formatDate("2026-11-27T10:00:00Z")).toMatch(/2026/);
    expect(formatDate(null)).toBe("—");
  });
});

describe("formatDateTime", () => {
  it("shows the year only when it is not this one", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    expect(formatDateTime("2026-11-27T10:00:00Z", now)).not.toMatch(/2026/);
    expect(formatDateTime("2025-11-27T10:00:00Z", now)).toMatch(/2025/);
    expect(formatDateTime(undefined, now)).toBe("—");
    expect(formatDateTime("later", now)).toBe("later");
  });
});

describe("formatCount", () => {
  it("puts the noun in the number's form", () => {
    expect(formatCount(1, "event", "events")).toBe("1 event");
    expect(formatCount(0, "event", "events")).toBe("0 events");
    expect(formatCount(1234, "contact", "contacts")).toBe("1,234 contacts");
  });
});
