import type { TStatusChange } from "@/lib/session-status";
import { StatusBadge } from "@/components/sessions/status-badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { RelativeTime, formatTime } from "@/components/ui/time";

/** The session's recent status changes with their reasons, newest first; QR refreshes are counted in one entry. */
export function StatusTimeline({ statuses }: { statuses: TStatusChange[] }) {
  const items = [...statuses].reverse();
  return (
    <Card aria-labelledby="timeline-title">
      <CardHeader id="timeline-title" title="Status history" description="Recent changes and what caused them" />
      <CardBody className="max-h-[26rem] overflow-y-auto">
        {items.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            No changes since the server started. Start the session to see its lifecycle here.
          </p>
        ) : (
          <ol className="relative space-y-4 border-l border-zinc-200 pl-5 dark:border-zinc-800" data-testid="status-timeline">
            {items.map((change, index) => (
              <li
                key={`${change.timestamp}-${index}`}
                className="relative"
                data-testid="status-entry"
                data-status={change.status}
                data-count={change.count ?? 1}
              >
                <span
                  aria-hidden="true"
                  className="absolute top-1.5 -left-[25px] size-2.5 rounded-full border-2 border-white bg-zinc-300 dark:border-zinc-900 dark:bg-zinc-600"
                />
                <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  <StatusBadge status={change.status} />
                  <span className="text-xs text-zinc-500 tabular-nums dark:text-zinc-400" title={new Date(change.timestamp).toISOString()}>
                    {formatTime(change.timestamp)} · <RelativeTime timestamp={change.timestamp} />
                  </span>
                </div>
                {change.reason && <p className="mt-1 text-[13px] break-words text-zinc-600 dark:text-zinc-300">{change.reason}</p>}
                {change.count !== undefined && change.lastTimestamp !== undefined && (
                  <p className="mt-1 text-xs text-zinc-500 tabular-nums dark:text-zinc-400" data-testid="status-qr-count">
                    <span className="font-medium text-zinc-700 dark:text-zinc-200">{change.count} QR codes</span> in a row, the last at{" "}
                    <span title={new Date(change.lastTimestamp).toISOString()}>{formatTime(change.lastTimestamp)}</span>
                  </p>
                )}
              </li>
            ))}
          </ol>
        )}
      </CardBody>
    </Card>
  );
}
