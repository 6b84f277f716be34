// Row selection for the contacts table: click toggles one row, shift-click selects the
// range from the last clicked row, as in a file manager. Ids survive paging; the anchor
// is an index on the current page.

export interface SelectionState {
  ids: Set<number>;
  anchor: number | null;
}

export function emptySelection(): SelectionState {
  return { ids: new Set(), anchor: null };
}

/** The selection after clicking the checkbox of row `index` on a page showing `rowIds`. */
export function clickRow(
  state: SelectionState,
  rowIds: number[],
  index: number,
  shift: boolean,
): SelectionState {
  const id = rowIds[index];
  if (id === undefined) return state;
  const ids = new Set(state.ids);
  if (shift && state.anchor !== null && state.anchor < rowIds.length) {
    // The range takes the state of the anchor row, so shift-click can also unselect a range.
    const select = ids.has(rowIds[state.anchor]);
    const [from, to] = state.anchor < index ? [state.anchor, index] : [index, state.anchor];
    for (const rowId of rowIds.slice(from, to + 1)) {
      if (select) ids.add(rowId);
      else ids.delete(rowId);
    }
  } else if (ids.has(id)) {
    ids.delete(id);
  } else {
    ids.add(id);
  }
  return { ids, anchor: index };
}

/** Selects every row on the page, or clears them all when all are selected already. */
export function togglePage(state: SelectionState, rowIds: number[]): SelectionState {
  const ids = new Set(state.ids);
  const all = rowIds.length > 0 && rowIds.every((id) => ids.has(id));
  for (const id of rowIds) {
    if (all) ids.delete(id);
    else ids.add(id);
  }
  return { ids, anchor: null };
}

export function pageState(state: SelectionState, rowIds: number[]): "none" | "some" | "all" {
  const n = rowIds.filter((id) => state.ids.has(id)).length;
  return n === 0 ? "none" : n === rowIds.length ? "all" : "some";
}
