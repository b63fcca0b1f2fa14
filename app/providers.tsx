"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { z } from "zod";
import { isApiError } from "@/lib/api-client";
import { ToastProvider } from "@/components/ui/toast";
// Its popstate listener must be added before the app router's (the session form's leave guard).
import "@/components/shell/popstate-guard";

// Zod probes `new Function` once to pick its fast path; the dashboard's CSP forbids eval, and Chromium
// reports even that caught probe as a violation. The browser parses little: the plain path is enough.
if (typeof window !== "undefined") z.config({ jitless: true });

/** A 401 means the dashboard login expired: back to the login page, then back here. */
function onError(error: unknown): void {
  if (isApiError(error) && error.status === 401 && typeof window !== "undefined" && window.location.pathname !== "/login") {
    const here = window.location.pathname + window.location.search;
    // A full page load on purpose: nothing cached under the old login survives.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign(`/login?callbackUrl=${encodeURIComponent(here)}`);
  }
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError }),
        mutationCache: new MutationCache({ onError }),
        defaultOptions: {
          queries: {
            staleTime: 30_000,
            // 4xx answers do not get better by asking again.
            retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
            refetchOnWindowFocus: true,
          },
        },
      }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>{children}</ToastProvider>
    </QueryClientProvider>
  );
}
