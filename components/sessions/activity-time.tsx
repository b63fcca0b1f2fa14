"use client";

import { useStaleSince } from "@/components/data/realtime";
import { cn } from "@/components/ui/cn";
import { RelativeTime, formatTime } from "@/components/ui/time";

/**
 * A session's last activity, "12 s ago". While the live connection is down the text stops counting at
 * the moment it was lost and says it is not live: a later activity would not reach this page.
 */
export function ActivityTime({ timestamp, className }: { timestamp: number | null | undefined; className?: string }) {
  const staleSince = useStaleSince();
  return (
    <span
      data-testid="activity-time"
      data-stale={staleSince !== null}
      className={cn(staleSince !== null && "opacity-60", className)}
      title={staleSince !== null ? `Not live since ${formatTime(staleSince)}: reconnecting` : undefined}
    >
      <RelativeTime timestamp={timestamp} at={staleSince} />
      {staleSince !== null && <span className="ml-1 text-xs text-amber-700 dark:text-amber-400">(not live)</span>}
    </span>
  );
}
