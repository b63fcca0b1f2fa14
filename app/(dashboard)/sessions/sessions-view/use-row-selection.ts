import { useCallback, useState } from "react";

/**
 * The selected rows, only ever rows of the page shown: a new search, status filter, order or page clears them, so
 * an action never reaches a session the user cannot see. `allMatching`: the user chose "Select all N matching"
 * instead, which says so in the bar and holds until the filters change.
 */
export function useRowSelection(viewKey: string, pageNames: string[]) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [lastView, setLastView] = useState(viewKey);
  if (viewKey !== lastView) {
    setLastView(viewKey);
    setSelected(new Set());
    setAllMatching(false);
  }
  const toggleRow = useCallback((name: string) => {
    setSelected((current) => toggle(current, name));
    setAllMatching(false);
  }, []);
  // Rows that left the page (deleted, or no longer matching after a live change) are not selected any more.
  const visible = new Set(pageNames.filter((name) => selected.has(name)));
  return {
    selected: visible,
    allMatching,
    setSelected: (next: Set<string>) => {
      setSelected(next);
      setAllMatching(false);
    },
    /** Stable: memoized rows keep it. */
    toggleRow,
    selectAllMatching: () => setAllMatching(true),
    clear: () => {
      setSelected(new Set());
      setAllMatching(false);
    },
  };
}

/** A copy of `set` with `name` added, or removed if it was there. */
export function toggle(set: Set<string>, name: string): Set<string> {
  const next = new Set(set);
  if (next.has(name)) next.delete(name);
  else next.add(name);
  return next;
}
