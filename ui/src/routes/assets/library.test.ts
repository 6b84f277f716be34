import { describe, expect, it } from "vitest";
import type { AddOutcome } from "$lib/api/assets";
import { fileName, folderTree, parseTags, tagChanges, uploadSummary, visibleFolders } from "./library";

describe("folderTree", () => {
  it("orders parents before children and fills in missing parents", () => {
    const f = (path: string, asset_count: number) => ({ path, name: "", parent: null, asset_count });
    const tree = folderTree([f("Products/Autumn", 2), f("Brand/Logos", 3), f("Brand", 1), f("archive", 0)]);
    expect(tree.map((n) => [n.path, n.depth, n.count, n.hasChildren])).toEqual([
      ["archive", 0, 0, false],
      ["Brand", 0, 1, true],
      ["Brand/Logos", 1, 3, false],
      ["Products", 0, 0, true],
      ["Products/Autumn", 1, 2, false],
    ]);
  });

  it("hides the children of collapsed folders", () => {
    const tree = folderTree([
      { path: "A/B/C", name: "C", parent: "A/B", asset_count: 1 },
      { path: "D", name: "D", parent: null, asset_count: 0 },
    ]);
    expect(visibleFolders(tree, new Set(["A"])).map((n) => n.path)).toEqual(["A", "D"]);
    expect(visibleFolders(tree, new Set(["A/B"])).map((n) => n.path)).toEqual(["A", "A/B", "D"]);
  });
});

describe("uploadSummary", () => {
  const ok = (duplicate: boolean): AddOutcome => ({
    file: "/tmp/a.png",
    added: { asset: {} as never, duplicate },
    error: null,
  });
  const bad: AddOutcome = { file: "/tmp/x.doc", added: null, error: { code: "asset_rejected", message: "m" } };
  it("says what happened to every file", () => {
    expect(uploadSummary([ok(false), ok(false), ok(true), bad])).toBe(
      "2 files added, 1 file was already in the library, 1 file could not be added.",
    );
    expect(uploadSummary([])).toBe("Nothing was added.");
    expect(uploadSummary([ok(true), ok(true)])).toBe("2 files were already in the library.");
  });
});

describe("parseTags", () => {
  it("trims, collapses spaces and drops duplicates ignoring case", () => {
    expect(parseTags(" logo, Hero  image ,LOGO,, autumn")).toEqual(["logo", "Hero image", "autumn"]);
  });
});

describe("tagChanges", () => {
  it("adds what is new and removes what is gone, ignoring case", () => {
    expect(tagChanges(["logo", "Old"], ["LOGO", "new"])).toEqual({ add: ["new"], remove: ["Old"] });
  });
});

describe("fileName", () => {
  it("takes the last part of Unix and Windows paths", () => {
    expect(fileName("/home/a/b.png")).toBe("b.png");
    expect(fileName("C:\\Users\\a\\c.jpg")).toBe("c.jpg");
  });
});
