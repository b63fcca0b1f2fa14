import { usePathname, useSearchParams } from "next/navigation";
import { formatSessionSearch, parseSessionSearch } from "@/lib/dashboard-search";
import { ZSessionStatusSchema, type TSessionStatus } from "@/lib/session-status";

export const PAGE_SIZES = [25, 50, 100];
export const DEFAULT_LIMIT = 50;

export const SORTS = ["name", "memory"] as const;
export type TSort = (typeof SORTS)[number];

type TFilterChanges = Partial<Record<"q" | "status" | "sort" | "limit" | "offset", string | number | null>>;

/**
 * Search, status filter, order and page live in the URL (?q=&status=&sort=memory&offset=&limit=) so a
 * view can be bookmarked and shared. A value that is empty, zero or null is left out of the URL, and so
 * is the default order (by name).
 *
 * The URL is changed with history.replaceState, which Next.js folds into useSearchParams: no navigation
 * (no server round trip before the list is asked), and no history entry per keystroke.
 */
export function useSessionFilters() {
  const params = useSearchParams();
  const pathname = usePathname();
  const search = params.get("q") ?? "";
  const statuses = (params.get("status") ?? "").split(",").filter((s): s is TSessionStatus => ZSessionStatusSchema.safeParse(s).success);
  const limit = PAGE_SIZES.includes(Number(params.get("limit"))) ? Number(params.get("limit")) : DEFAULT_LIMIT;
  const offset = Math.max(0, Number(params.get("offset")) || 0);
  const sort: TSort = params.get("sort") === "memory" ? "memory" : "name";

  const update = (changes: TFilterChanges) => {
    // The URL as it is now: two changes in one render (a chip, then the page) must both land.
    const next = new URLSearchParams(window.location.search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === "" || value === 0) next.delete(key);
      else next.set(key, String(value));
    }
    const query = next.toString();
    window.history.replaceState(null, "", query ? `${pathname}?${query}` : pathname);
  };

  return {
    search,
    statuses,
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
    /** Adds an exact `key=value` metadata token to the search (a clicked metadata chip). */
    addMetadataFilter: (key: string, value: string) => {
      const next = parseSessionSearch(search);
      next.metadata[key] = value;
      update({ q: formatSessionSearch(next), offset: null });
    },
  };
}

export type TSessionFilters = ReturnType<typeof useSessionFilters>;
