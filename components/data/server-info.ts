"use client";

import { useQuery } from "@tanstack/react-query";
import { getServerInfo } from "@/lib/api-client";
import { queryKeys } from "./query-keys";

/**
 * The version, worker id and start time of the server answering this page, for the shell. Asked once;
 * the realtime layer refetches it after every reconnect, so a restarted server shows its new start.
 */
export function useServerInfo() {
  return useQuery({
    queryKey: queryKeys.serverInfo(),
    queryFn: ({ signal }) => getServerInfo(signal),
    staleTime: Infinity,
  });
}
