import { describe, expect, it } from "vitest";
import { href, parseHash, parseParams } from "./router.svelte";

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

describe("parseParams", () => {
  it("reads the parts after the route id", () => {
    expect(parseParams("#/templates/edit/42")).toEqual(["edit", "42"]);
    expect(parseParams("#/templates")).toEqual([]);
    expect(parseParams("")).toEqual([]);
  });
  it("round-trips encoded parts with href", () => {
    const h = href("templates", "edit", "a b/c");
    expect(h).toBe("#/templates/edit/a%20b%2Fc");
    expect(parseParams(h)).toEqual(["edit", "a b/c"]);
    expect(parseHash(h)).toBe("templates");
  });
});
