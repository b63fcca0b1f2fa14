import { usePathname, useSearchParams } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { prefetchSessionList } from "@/components/data/sessions";
import { formatSessionSearch, parseSessionSearch } from "@/lib/dashboard-search";
import type { TSessionStatus } from "@/lib/session-status";
import { listParamsOf, readFilters, type TSort } from "./session-filters";

type TFilterChanges = Partial<Record<"q" | "status" | "sort" | "limit" | "offset", string | number | null>>;

/**
 * Search, status filter, order and page live in the URL (?q=&status=&sort=&offset=&limit=) so a
 * view can be bookmarked and shared. A value that is empty, zero or null is left out of the URL, and so
 * is the default order (by name).
 *
 * The URL is changed with history.replaceState: no navigation (no server round trip before the list is
 * asked), and no history entry per keystroke. The filters themselves are state of this hook, changed at once:
 * Next.js folds replaceState into useSearchParams only in a transition that commits 100-200 ms later (more on
 * a busy machine), and the list must not wait for it.
 */
export function useSessionFilters() {
  const urlParams = useSearchParams().toString();
  const pathname = usePathname();
  const [query, setQuery] = useState(urlParams);
  // Next.js reports each URL this hook wrote, late and possibly one after another: those are not news. Any
  // other URL it reports is a navigation (a link to /sessions, back or forward), whose filters are adopted.
  const [written, setWritten] = useState<string[]>([]);
  const [reported, setReported] = useState(urlParams);
  if (urlParams !== reported) {
    setReported(urlParams);
    const ours = written.indexOf(urlParams);
    if (ours >= 0) setWritten(written.slice(ours + 1));
    else setQuery(urlParams);
  }
  const { search, statuses, limit, offset, sort } = readFilters(query);
  const queryClient = useQueryClient();

  const update = useCallback(
    (changes: TFilterChanges) => {
      // The URL as it is now: two changes in one render (a chip, then the page) must both land.
      const next = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(changes)) {
        if (value === null || value === "" || value === 0) next.delete(key);
        else next.set(key, String(value));
      }
      const changed = next.toString();
      // Asked before React renders the change: drawing the dimmed rows must not delay the request.
      prefetchSessionList(queryClient, listParamsOf(readFilters(changed)));
      setQuery(changed);
      setWritten((list) => [...list, changed]);
      window.history.replaceState(null, "", changed ? `${pathname}?${changed}` : pathname);
    },
    [pathname, queryClient],
  );
  /** Adds an exact `key=value` metadata token to the search (a clicked metadata chip); stable, for memoized rows. */
  const addMetadataFilter = useCallback(
    (key: string, value: string) => {
      const next = parseSessionSearch(readFilters(window.location.search).search);
      next.metadata[key] = value;
      update({ q: formatSessionSearch(next), offset: null });
    },
    [update],
  );

  return {
    search,
    statuses,
    /** What the list asks the API for. */
    listParams: listParamsOf({ search, statuses, limit, offset, sort }),
    sort,
    limit,
    offset,
    /** Whether a search or a status filter narrows the list. */
    filtered: search.trim() !== "" || statuses.length > 0,
    update,
    setSearch: (q: string) => update({ q, offset: null }),
    setStatuses: (next: TSessionStatus[]) => update({ status: next.join(","), offset: null }),
    /** A new order starts at the first page. */
    setSort: (next: TSort) => update({ sort: next === "name" ? null : next, offset: null }),
    clear: () => update({ q: null, status: null, offset: null }),
    addMetadataFilter,
  };
}

export type TSessionFilters = ReturnType<typeof useSessionFilters>;
