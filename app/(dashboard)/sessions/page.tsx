import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { Suspense } from "react";
import { buildQuery, sessionListQuery, type TSessionListParams, type TSessionPage } from "@/lib/api-client";
import { ZSessionListQuerySchema } from "@/lib/session";
import { queryKeys } from "@/components/data/query-keys";
import { requireDashboardUser } from "@/server/auth/page-gate";
import { readQuery } from "@/server/http/handler";
import { getLogger } from "@/server/logger";
import { sessionsContext } from "@/server/sessions/context";
import { listSessions } from "@/server/sessions/list-sessions";
import { listParamsOf, readFilters } from "./sessions-view/session-filters";
import { SessionsView } from "./sessions-view/sessions-view";

export const metadata: Metadata = { title: "Sessions" };

type TSearchParams = Record<string, string | string[] | undefined>;

/**
 * The first page of the list comes in the HTML: its rows are drawn as the page arrives, not after the scripts
 * have loaded, hydrated and asked the API (about 2 s on two cores). The browser asks again once it runs, so the
 * live status starts from a fresh answer.
 */
export default async function SessionsPage({ searchParams }: { searchParams: Promise<TSearchParams> }) {
  // The layout's gate does not run for a client-side navigation between pages: this page reads data, so it checks too.
  await requireDashboardUser();
  const params = listParamsOf(readFilters(toQueryString(await searchParams)));
  const queryClient = new QueryClient();
  const page = await firstPage(params);
  // Stored as fetched long ago, so the browser's own request refreshes it at once.
  if (page) queryClient.setQueryData(queryKeys.list(params), page, { updatedAt: 1 });
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <Suspense>
        <SessionsView />
      </Suspense>
    </HydrationBoundary>
  );
}

/**
 * The page as GET /api/sessions answers the browser for these filters: the same query, read by the same schema,
 * sent through JSON. Null when it fails; the browser then asks and shows the error as it would.
 */
async function firstPage(params: TSessionListParams): Promise<TSessionPage | null> {
  try {
    const request = new Request(`http://dashboard.invalid/api/sessions${buildQuery(sessionListQuery(params))}`);
    const { items, total } = await listSessions(sessionsContext(), readQuery(request, ZSessionListQuerySchema));
    return { items: JSON.parse(JSON.stringify(items)), total };
  } catch (error) {
    getLogger().warn({ err: error }, "the sessions page is rendered without its first page of sessions");
    return null;
  }
}

function toQueryString(searchParams: TSearchParams): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) query.append(key, one);
  }
  return query.toString();
}
