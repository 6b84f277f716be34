import { describe, expect, it } from "vitest";
import { folderTree, parseTags, uploadSummary, visibleFolders } from "./library";

describe("folderTree", () => {
  it("orders parents before children and fills in missing parents", () => {
    const tree = folderTree([
      { path: "Products/Autumn", count: 2 },
      { path: "Brand/Logos", count: 3 },
      { path: "Brand", count: 1 },
      { path: "archive", count: 0 },
    ]);
    expect(tree.map((n) => [n.path, n.depth, n.count, n.hasChildren])).toEqual([
      ["archive", 0, 0, false],
      ["Brand", 0, 1, true],
      ["Brand/Logos", 1, 3, false],
      ["Products", 0, 0, true],
      ["Products/Autumn", 1, 2, false],
    ]);
  });

  it("hides the children of collapsed folders", () => {
    const tree = folderTree([{ path: "A/B/C", count: 1 }, { path: "D", count: 0 }]);
    expect(visibleFolders(tree, new Set(["A"])).map((n) => n.path)).toEqual(["A", "D"]);
    expect(visibleFolders(tree, new Set(["A/B"])).map((n) => n.path)).toEqual(["A", "A/B", "D"]);
  });
});

describe("uploadSummary", () => {
  const a = { id: "1" } as never;
  it("says what happened to every file", () => {
    expect(uploadSummary({ added: [a, a], duplicates: [a], failed: [{ name: "x", code: "c", message: "m" }] })).toBe(
      "2 files added, 1 file was already in the library, 1 file could not be added.",
    );
    expect(uploadSummary({ added: [], duplicates: [], failed: [] })).toBe("Nothing was added.");
    expect(uploadSummary({ added: [], duplicates: [a, a], failed: [] })).toBe(
      "2 files were already in the library.",
    );
  });
});

describe("parseTags", () => {
  it("trims, collapses spaces and drops duplicates ignoring case", () => {
    expect(parseTags(" logo, Hero  image ,LOGO,, autumn")).toEqual(["logo", "Hero image", "autumn"]);
  });
});
