"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useDeferredValue, useEffect, useSyncExternalStore } from "react";
import { ALL_SESSIONS } from "@/lib/realtime-messages";
import { queryKeys } from "@/components/data/query-keys";
import { useRealtimeSubscription } from "@/components/data/realtime";
import { useSessionList, useSessionStatusCounts } from "@/components/data/sessions";
import { PageHeader } from "@/components/shell/app-shell";
import { Alert } from "@/components/ui/alert";
import { buttonClasses } from "@/components/ui/button";
import { ErrorBoundary } from "@/components/ui/error-boundary";
import { PlusIcon } from "@/components/ui/icons";
import { Pagination } from "@/components/ui/pagination";
import { BulkActionsBar } from "./bulk-actions-bar";
import { NoMatchingSessions, NoSessionsYet } from "./empty-states";
import { FiltersBar } from "./filters-bar";
import { LoadError, loadErrorText } from "./load-error";
import { LoadingRows } from "./loading-rows";
import { SessionCards } from "./session-cards";
import { SessionTable } from "./session-table";
import { useRowSelection } from "./use-row-selection";
import { DEFAULT_LIMIT, PAGE_SIZES } from "./session-filters";
import { useSessionFilters } from "./use-session-filters";

/**
 * Every session with its live status and its browser's memory and CPU: search, status filter, order and pages
 * in the URL (changed without a navigation: the list is fetched directly), status chips with counts, bulk actions on
 * the selected rows or on every matching session.
 */
/**
 * The table from tablet width (Tailwind's md), cards below. The server renders the table only (its CSS hides it
 * on a phone, which draws its cards once hydrated): both would put every session twice in the page until then.
 */
const TABLE_QUERY = "(min-width: 48rem)";
function useLayout(): "table" | "cards" {
  return useSyncExternalStore(
    (onChange) => {
      const query = window.matchMedia(TABLE_QUERY);
      query.addEventListener("change", onChange);
      return () => query.removeEventListener("change", onChange);
    },
    () => (window.matchMedia(TABLE_QUERY).matches ? "table" : "cards"),
    () => "table",
  );
}

export function SessionsView() {
  const filters = useSessionFilters();
  // Only the layout on screen is rendered: half the work on every change of a long page.
  const layout = useLayout();
  const { search, statuses, sort, limit, offset, filtered, update, listParams } = filters;
  // A new object each render is fine: React Query compares keys by their hashed value.
  const query = useSessionList(listParams);
  // The counts are asked once the list for these filters is drawn, in a render of their own after it: their five
  // requests made in the list's render held its paint back by 20-30 ms.
  const countParams = { q: listParams.q, metadata: listParams.metadata };
  const listDrawnFor = JSON.stringify(query.isFetched && !query.isPlaceholderData ? countParams : null);
  const counts = useSessionStatusCounts(countParams, useDeferredValue(listDrawnFor) === JSON.stringify(countParams));
  useRealtimeSubscription(ALL_SESSIONS);
  const queryClient = useQueryClient();

  const items = query.data?.items ?? [];
  const total = query.data?.total ?? 0;
  // Rows of an earlier search or page, shown while the ones asked for load.
  const stale = query.isPlaceholderData;
  const selection = useRowSelection(
    JSON.stringify([search, statuses, sort, limit, offset]),
    items.map((s) => s.name),
  );
  const selected = selection.allMatching ? new Set(items.map((s) => s.name)) : selection.selected;
  const pageSelected = items.length > 0 && selected.size === items.length;

  // Past the last page (rows deleted elsewhere): go back to the last one that exists.
  useEffect(() => {
    if (query.data && offset > 0 && offset >= total) update({ offset: Math.max(0, Math.floor((total - 1) / limit) * limit) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query.data, offset, total, limit]);

  return (
    <>
      <PageHeader
        title="Sessions"
        description={
          query.data ? (
            <span aria-live="polite">
              {total.toLocaleString("en-US")} {filtered ? "matching" : ""} session{total === 1 ? "" : "s"}
            </span>
          ) : (
            "WhatsApp accounts run by this server"
          )
        }
        actions={
          <Link href="/sessions/new" className={buttonClasses("primary")}>
            <PlusIcon className="size-4" />
            New session
          </Link>
        }
      />

      <FiltersBar filters={filters} loading={stale} counts={counts.data} />

      {selected.size > 0 && (
        <BulkActionsBar
          target={
            selection.allMatching
              ? {
                  kind: "matching",
                  total,
                  params: { q: listParams.q, metadata: listParams.metadata, status: listParams.status, sortBy: listParams.sortBy },
                }
              : { kind: "rows", names: [...selected] }
          }
          pageSelected={pageSelected}
          total={total}
          onSelectAllMatching={selection.selectAllMatching}
          onDone={selection.clear}
        />
      )}

      <div className="overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900/60">
        {query.isError && !query.data ? (
          <LoadError error={query.error} onRetry={() => query.refetch()} />
        ) : query.isPending ? (
          <LoadingRows />
        ) : items.length === 0 ? (
          filtered ? (
            <NoMatchingSessions onClear={filters.clear} />
          ) : (
            <NoSessionsYet />
          )
        ) : (
          <>
            {query.isError && (
              <div className="border-b border-zinc-100 p-3 dark:border-zinc-800">
                <Alert tone="warning">Showing the last loaded page: {loadErrorText(query.error)}</Alert>
              </div>
            )}
            <ErrorBoundary
              title="The sessions could not be shown"
              className="m-4"
              onReset={() => void queryClient.resetQueries({ queryKey: queryKeys.lists() })}
            >
              {layout === "table" && (
                <SessionTable
                  items={items}
                  selected={selected}
                  onSelect={selection.setSelected}
                  onToggle={selection.toggleRow}
                  onMetadata={filters.addMetadataFilter}
                  stale={stale}
                  sort={sort}
                  onSort={filters.setSort}
                />
              )}
              {layout === "cards" && (
                <SessionCards
                  items={items}
                  selected={selected}
                  onToggle={selection.toggleRow}
                  onMetadata={filters.addMetadataFilter}
                  stale={stale}
                />
              )}
            </ErrorBoundary>
          </>
        )}
      </div>

      {total > 0 && (
        <div className="mt-4">
          <Pagination
            offset={offset}
            limit={limit}
            total={total}
            pageSizes={PAGE_SIZES}
            onOffsetChange={(next) => update({ offset: next })}
            onLimitChange={(next) => update({ limit: next === DEFAULT_LIMIT ? null : next, offset: null })}
            label="Sessions pages"
          />
        </div>
      )}
    </>
  );
}
