"use client";

import { useQuery } from "@tanstack/react-query";
import { listWorkers } from "@/lib/api-client";
import { ZWorkerListSchema, type TWorker } from "@/lib/cluster";
import { checkMessage } from "@/lib/realtime-messages";
import { queryKeys } from "./query-keys";

/**
 * How often the Workers page asks again. Workers are not pushed over Socket.IO; a lease is renewed every
 * fifth of SWITCHBOARD_WORKER_LEASE_SECONDS (2 s by default), so this shows each renewal within a few seconds.
 */
export const WORKERS_REFRESH_MS = 2000;

/** An answer of /api/server/workers that is not a worker list: shown as an error, never rendered. */
export class UnexpectedWorkerList extends Error {
  constructor(readonly issues: string[]) {
    super(`The server answered with a worker list this page cannot read: ${issues.slice(0, 3).join("; ")}`);
    this.name = "UnexpectedWorkerList";
  }
}

/** The workers, checked against their schema, refreshed every WORKERS_REFRESH_MS while the page is visible. */
export function useWorkers() {
  return useQuery<TWorker[]>({
    queryKey: queryKeys.workers(),
    queryFn: async ({ signal }) => {
      const checked = checkMessage(ZWorkerListSchema, await listWorkers(signal));
      if (!checked.ok) throw new UnexpectedWorkerList(checked.issues);
      return checked.message;
    },
    refetchInterval: WORKERS_REFRESH_MS,
  });
}
