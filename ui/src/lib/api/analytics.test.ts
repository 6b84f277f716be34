import { describe, expect, it } from "vitest";
import { formatRate } from "./analytics";

describe("formatRate", () => {
  it("reads like the CLI: one decimal, two below 1%, a dash without a denominator", () => {
    expect(formatRate(5 / 6)).toBe("83.3%");
    expect(formatRate(0.0012)).toBe("0.12%");
    expect(formatRate(0)).toBe("0.0%");
    expect(formatRate(1)).toBe("100.0%");
    expect(formatRate(null)).toBe("–");
  });
});
