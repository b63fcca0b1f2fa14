import { useState } from "react";

/** The selected session names; a new search or status filter clears them. */
export function useRowSelection(filtersKey: string) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [lastFilters, setLastFilters] = useState(filtersKey);
  if (filtersKey !== lastFilters) {
    setLastFilters(filtersKey);
    setSelected(new Set());
  }
  return { selected, setSelected, clear: () => setSelected(new Set()) };
}

/** A copy of `set` with `name` added, or removed if it was there. */
export function toggle(set: Set<string>, name: string): Set<string> {
  const next = new Set(set);
  if (next.has(name)) next.delete(name);
  else next.add(name);
  return next;
}
