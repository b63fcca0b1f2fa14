import type { TSessionListParams } from "@/lib/api-client";
import { parseSessionSearch } from "@/lib/dashboard-search";
import { ZSessionStatusSchema, type TSessionStatus } from "@/lib/session-status";

/*
 * The sessions list's filters as the URL holds them (?q=&status=&sort=&offset=&limit=), and what the list asks the
 * API for them. Plain functions: the page renders the first page on the server with them, the view keeps them in
 * the URL (use-session-filters.ts).
 */

export const PAGE_SIZES = [25, 50, 100];
export const DEFAULT_LIMIT = 50;

export const SORTS = ["name", "memory", "status", "activity"] as const;
export type TSort = (typeof SORTS)[number];

/** The filters a URL query (`q=...&status=...`) holds; anything unknown or invalid is left at its default. */
export function readFilters(query: string) {
  const params = new URLSearchParams(query);
  return {
    search: params.get("q") ?? "",
    statuses: (params.get("status") ?? "").split(",").filter((s): s is TSessionStatus => ZSessionStatusSchema.safeParse(s).success),
    limit: PAGE_SIZES.includes(Number(params.get("limit"))) ? Number(params.get("limit")) : DEFAULT_LIMIT,
    offset: Math.max(0, Number(params.get("offset")) || 0),
    sort: SORTS.find((sort) => sort === params.get("sort")) ?? "name",
  };
}

/** What the list asks the API for these filters (the search box's text split into free text and metadata). */
export function listParamsOf(filters: ReturnType<typeof readFilters>): TSessionListParams {
  const parsed = parseSessionSearch(filters.search);
  return {
    q: parsed.text,
    metadata: parsed.metadata,
    status: filters.statuses,
    sortBy: filters.sort === "name" ? undefined : filters.sort,
    limit: filters.limit,
    offset: filters.offset,
  };
}
