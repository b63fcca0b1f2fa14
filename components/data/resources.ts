"use client";

import { useQuery } from "@tanstack/react-query";
import { getSessionResources } from "@/lib/api-client";
import { checkMessage } from "@/lib/realtime-messages";
import { ZSessionResourceHistorySchema, type TSessionResourceHistory } from "@/lib/session";
import { queryKeys } from "./query-keys";

/** Resources are sampled, not pushed: asked again once per sampling interval, but never more than once a second. */
const MIN_REFRESH_MS = 1000;
/** Before the first answer says the interval (the server's default is 15 s). */
const FIRST_REFRESH_MS = 5000;

/** An answer of /api/sessions/{name}/resources that is not a sample history: shown as an error, never drawn. */
export class UnexpectedResourceHistory extends Error {
  constructor(readonly issues: string[]) {
    super(`The server answered with resource samples this page cannot read: ${issues.slice(0, 3).join("; ")}`);
    this.name = "UnexpectedResourceHistory";
  }
}

/**
 * The session's last hour of samples (memory, CPU, events per minute), checked against their schema, asked
 * again every sampling interval while `live` (its browser runs); once when it does not.
 */
export function useSessionResources(name: string, live: boolean) {
  return useQuery<TSessionResourceHistory>({
    queryKey: queryKeys.resources(name),
    queryFn: async ({ signal }) => {
      const checked = checkMessage(ZSessionResourceHistorySchema, await getSessionResources(name, signal));
      if (!checked.ok) throw new UnexpectedResourceHistory(checked.issues);
      return checked.message;
    },
    refetchInterval: (query) => {
      if (!live) return false;
      const seconds = query.state.data?.intervalSeconds;
      if (seconds === 0) return false;
      return seconds === undefined ? FIRST_REFRESH_MS : Math.max(MIN_REFRESH_MS, seconds * 1000);
    },
    retry: (count, error) => !(error instanceof UnexpectedResourceHistory) && (error as { status?: number }).status !== 404 && count < 2,
  });
}
