import Link from "next/link";
import { formatBytes } from "@/lib/chart-geometry";
import { HealthSummary } from "@/components/sessions/health-summary";
import { MetadataChips, formatPhone } from "@/components/sessions/metadata-chips";
import { CpuFigure, MemoryFigure } from "@/components/sessions/resource-figures";
import { StatusBadge } from "@/components/sessions/status-badge";
import { Checkbox } from "@/components/ui/field";
import { ActivityTime } from "@/components/sessions/activity-time";
import { cn } from "@/components/ui/cn";
import { sessionHref, useRowNavigation } from "./use-row-navigation";
import { statusHint, type TSessionRowsProps } from "./session-table";

/** The sessions as a list of cards, on a phone (the table takes over from tablet width). */
export function SessionCards({ items, selected, onToggle, onMetadata, stale }: Omit<TSessionRowsProps, "onSelect"> & { stale: boolean }) {
  const rows = useRowNavigation();
  return (
    <ul
      className={cn("divide-y divide-zinc-100 transition-opacity md:hidden dark:divide-zinc-800", stale && "opacity-50")}
      aria-label="Sessions"
      aria-busy={stale}
    >
      {items.map((session) => (
        <li
          key={session.name}
          className="flex cursor-pointer gap-3 px-4 py-3.5"
          data-testid="session-card"
          data-session={session.name}
          onClick={(event) => rows.open(event, session.name)}
          onTouchStart={() => rows.intent(session.name)}
          onPointerEnter={() => rows.intent(session.name)}
        >
          <Checkbox
            className="mt-1"
            aria-label={`Select ${session.name}`}
            checked={selected.has(session.name)}
            onChange={() => onToggle(session.name)}
          />
          <div className="min-w-0 flex-1 space-y-1.5">
            <div className="flex items-center justify-between gap-2">
              <Link
                href={sessionHref(session.name)}
                prefetch={false}
                className="truncate font-mono text-[13px] font-medium text-zinc-900 hover:underline dark:text-zinc-100"
              >
                {session.name}
              </Link>
              <StatusBadge status={session.status} hint={statusHint(session)} />
            </div>
            <p className="flex flex-wrap gap-x-3 text-[13px] text-zinc-600 dark:text-zinc-400">
              <span className="font-mono tabular-nums">{formatPhone(session.me?.id) ?? "No account yet"}</span>
              {session.me?.pushName && <span>{session.me.pushName}</span>}
              <ActivityTime timestamp={session.timestamps.activity} className="text-zinc-400" />
            </p>
            {session.resources && (
              <p className="flex flex-wrap gap-x-3 font-mono text-xs text-zinc-600 dark:text-zinc-400">
                <span>
                  PSS <MemoryFigure resources={session.resources} />
                </span>
                <span className="tabular-nums">RSS {formatBytes(session.resources.memory.rss)}</span>
                <span>
                  CPU <CpuFigure resources={session.resources} />
                </span>
              </p>
            )}
            <HealthSummary session={session} />
            <MetadataChips metadata={session.config.metadata} onSelect={onMetadata} max={4} />
          </div>
        </li>
      ))}
    </ul>
  );
}
