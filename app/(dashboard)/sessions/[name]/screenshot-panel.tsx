"use client";

import { useMutation } from "@tanstack/react-query";
import { getScreenshot, isApiError, type TImage } from "@/lib/api-client";
import type { TSession } from "@/lib/session";
import { isRunningStatus } from "@/lib/session-status";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { CameraIcon, RefreshIcon } from "@/components/ui/icons";
import { formatTime } from "@/components/ui/time";

/** What the session's headless browser shows right now: useful when a login or a page hangs. */
export function ScreenshotPanel({ session }: { session: TSession }) {
  const shot = useMutation<TImage & { at: number }, Error>({
    mutationFn: async () => ({ ...(await getScreenshot(session.name)), at: Date.now() }),
  });
  const running = isRunningStatus(session.status);
  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <Button
          size="sm"
          variant="secondary"
          loading={shot.isPending}
          disabled={!running}
          icon={shot.data ? <RefreshIcon className="size-3.5" /> : <CameraIcon className="size-3.5" />}
          onClick={() => shot.mutate()}
        >
          {shot.data ? "Take another" : "Take screenshot"}
        </Button>
        {shot.data && <span className="text-xs text-zinc-500">Taken at {formatTime(shot.data.at)}</span>}
        {!running && <span className="text-xs text-zinc-500">Only a running session has a browser to capture.</span>}
      </div>
      {shot.isError && (
        <Alert tone="error" title="No screenshot">
          {isApiError(shot.error) ? shot.error.message : "The screenshot failed."}
        </Alert>
      )}
      {shot.data ? (
        <div className="overflow-hidden rounded-lg border border-zinc-200 bg-zinc-100 dark:border-zinc-800 dark:bg-zinc-900">
          {/* A data: URL from the API, not an optimisable static image. */}
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img
            src={`data:${shot.data.mimetype};base64,${shot.data.data}`}
            alt={`Screenshot of the WhatsApp Web page of ${session.name}`}
            className="mx-auto block h-auto max-w-full"
            data-testid="screenshot"
          />
        </div>
      ) : (
        !shot.isError && (
          <EmptyState
            icon={<CameraIcon className="size-5" />}
            title="No screenshot yet"
            className="rounded-lg border border-dashed border-zinc-300 py-10 dark:border-zinc-700"
          >
            Capture the browser page behind this session to see what WhatsApp Web shows.
          </EmptyState>
        )
      )}
    </div>
  );
}
