import { describe, expect, it } from "vitest";
import { href, parseHash, parseSubpath } from "./router.svelte";

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

describe("parseSubpath", () => {
  it("reads the parts of a template editor path", () => {
    expect(parseSubpath("#/templates/edit/42")).toEqual(["edit", "42"]);
    expect(parseSubpath("#/templates")).toEqual([]);
    expect(parseSubpath("")).toEqual([]);
  });
  it("round-trips encoded parts with href", () => {
    const h = href("templates", "edit", "a b/c");
    expect(h).toBe("#/templates/edit/a%20b%2Fc");
    expect(parseSubpath(h)).toEqual(["edit", "a b/c"]);
    expect(parseHash(h)).toBe("templates");
  });
  it("reads what follows the route id", () => {
    expect(parseSubpath("#/contacts")).toEqual([]);
    expect(parseSubpath("#/contacts/42")).toEqual(["42"]);
    expect(parseSubpath("#/contacts/segments/7?x=1")).toEqual(["segments", "7"]);
  });
  it("round-trips with href, encoding what needs it", () => {
    expect(href("contacts", "segments", 3)).toBe("#/contacts/segments/3");
    expect(parseSubpath(href("contacts", "a b/c"))).toEqual(["a b/c"]);
  });
});
