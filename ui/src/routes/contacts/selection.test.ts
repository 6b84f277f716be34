import { describe, expect, it } from "vitest";
import { clickRow, emptySelection, pageState, togglePage } from "./selection";

const rows = [10, 11, 12, 13, 14];

describe("row selection", () => {
  it("toggles single rows", () => {
    let s = clickRow(emptySelection(), rows, 1, false);
    expect([...s.ids]).toEqual([11]);
    s = clickRow(s, rows, 1, false);
    expect(s.ids.size).toBe(0);
  });

  it("shift-click selects the range from the anchor, both directions", () => {
    let s = clickRow(emptySelection(), rows, 3, false);
    s = clickRow(s, rows, 1, true);
    expect([...s.ids].sort()).toEqual([11, 12, 13]);
    s = clickRow(emptySelection(), rows, 0, false);
    s = clickRow(s, rows, 2, true);
    expect([...s.ids].sort()).toEqual([10, 11, 12]);
  });

  it("shift-click from an unselected anchor clears the range", () => {
    let s = togglePage(emptySelection(), rows);
    s = clickRow(s, rows, 1, false); // unselects 11, anchor 1
    s = clickRow(s, rows, 3, true);
    expect([...s.ids].sort()).toEqual([10, 14]);
  });

  it("shift-click without an anchor toggles one row", () => {
    const s = clickRow(emptySelection(), rows, 2, true);
    expect([...s.ids]).toEqual([12]);
  });

  it("the header checkbox selects or clears the page and keeps other pages' rows", () => {
    let s = clickRow(emptySelection(), [99], 0, false);
    s = togglePage(s, rows);
    expect(pageState(s, rows)).toBe("all");
    expect(s.ids.has(99)).toBe(true);
    s = togglePage(s, rows);
    expect(pageState(s, rows)).toBe("none");
    expect([...s.ids]).toEqual([99]);
    s = clickRow(s, rows, 0, false);
    expect(pageState(s, rows)).toBe("some");
  });
});
