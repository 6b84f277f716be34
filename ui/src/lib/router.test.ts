import { describe, expect, it } from "vitest";
import { href, parseHash } from "./router.svelte";

describe("parseHash", () => {
  it("reads the route from the hash", () => {
    expect(parseHash("#/settings")).toBe("settings");
    expect(parseHash("#settings")).toBe("settings");
    expect(parseHash("#/campaigns/12")).toBe("campaigns");
  });
  it("falls back to contacts", () => {
    expect(parseHash("")).toBe("contacts");
    expect(parseHash("#/nope")).toBe("contacts");
  });
  it("round-trips with href", () => {
    expect(parseHash(href("analytics"))).toBe("analytics");
  });
});
