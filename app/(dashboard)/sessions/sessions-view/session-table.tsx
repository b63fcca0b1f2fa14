import Link from "next/link";
import { memo } from "react";
import { failedSessionHint } from "@/lib/failed-session-hint";
import type { TSession } from "@/lib/session";
import { HealthSummary } from "@/components/sessions/health-summary";
import { MetadataChips, formatPhone } from "@/components/sessions/metadata-chips";
import { CpuFigure, MemoryFigure } from "@/components/sessions/resource-figures";
import { StatusBadge } from "@/components/sessions/status-badge";
import { cn } from "@/components/ui/cn";
import { Checkbox } from "@/components/ui/field";
import { ActivityTime } from "@/components/sessions/activity-time";
import { sessionHref, useRowNavigation, type TRowNavigation } from "./use-row-navigation";
import type { TSort } from "./session-filters";

/** What the table and the cards show and change: the page's sessions, the selection, a clicked metadata chip. */
export type TSessionRowsProps = {
  items: TSession[];
  selected: Set<string>;
  onSelect: (selected: Set<string>) => void;
  /** Selects or unselects one row; stable, so rows are not rendered again for it. */
  onToggle: (name: string) => void;
  /** Stable too. */
  onMetadata: (key: string, value: string) => void;
};

/** The data columns after the checkbox, with the classes that hide or align them. */
const COLUMNS: [label: string, className?: string][] = [
  ["Name"],
  ["Status"],
  ["Health"],
  ["Phone"],
  ["Push name", "hidden lg:table-cell"],
  ["Engine", "hidden xl:table-cell"],
  ["Memory", "text-right"],
  ["CPU", "hidden text-right lg:table-cell"],
  ["Metadata"],
  ["Last activity", "text-right"],
];

/** The columns the API can order by (`sortBy`), each in its one direction. */
const SORTABLE: Partial<Record<string, { sort: TSort; direction: "ascending" | "descending"; title: string }>> = {
  Name: { sort: "name", direction: "ascending", title: "by name, A to Z" },
  Status: { sort: "status", direction: "ascending", title: "by status, failed first, stopped last" },
  Memory: { sort: "memory", direction: "descending", title: "by memory (PSS), largest first" },
  "Last activity": { sort: "activity", direction: "descending", title: "by last activity, latest first" },
};

/** A FAILED session's tooltip says what to do about its own failure; other statuses keep their general hint. */
export function statusHint(session: TSession): string | undefined {
  return session.status === "FAILED" ? failedSessionHint(session.statuses.at(-1)?.reason ?? null, session.health) : undefined;
}

const TH = "px-3 py-2.5 text-left text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400";

/**
 * The sessions as a table, from tablet width up (SessionCards below it); the header checkbox selects the page.
 * `stale`: these rows answer an earlier search while the new one loads, so they are dimmed.
 */
export function SessionTable({
  items,
  selected,
  onSelect,
  onToggle,
  onMetadata,
  stale,
  sort,
  onSort,
}: TSessionRowsProps & { stale: boolean; sort: TSort; onSort: (sort: TSort) => void }) {
  const allSelected = items.length > 0 && items.every((s) => selected.has(s.name));
  const someSelected = items.some((s) => selected.has(s.name));
  const rows = useRowNavigation();
  return (
    <div className="hidden overflow-x-auto md:block">
      <table className={cn("w-full text-sm transition-opacity", stale && "opacity-50")} aria-busy={stale}>
        <caption className="sr-only">Sessions</caption>
        <thead className="border-b border-zinc-200 bg-zinc-50/80 dark:border-zinc-800 dark:bg-zinc-900">
          <tr>
            <th scope="col" className="w-10 py-2.5 pr-1 pl-4">
              <Checkbox
                aria-label="Select all sessions on this page"
                checked={allSelected}
                ref={(el) => {
                  if (el) el.indeterminate = someSelected && !allSelected;
                }}
                onChange={() => {
                  const next = new Set(selected);
                  items.forEach((s) => (allSelected ? next.delete(s.name) : next.add(s.name)));
                  onSelect(next);
                }}
              />
            </th>
            {COLUMNS.map(([label, className]) => {
              const order = SORTABLE[label];
              if (!order) {
                return (
                  <th key={label} scope="col" className={cn(TH, className)}>
                    {label}
                  </th>
                );
              }
              const active = sort === order.sort;
              return (
                <th key={label} scope="col" className={cn(TH, className)} aria-sort={active ? order.direction : "none"}>
                  <button
                    type="button"
                    className="inline-flex items-center gap-1 uppercase hover:text-zinc-900 focus-visible:outline-2 dark:hover:text-zinc-100"
                    // A second click on an order other than the default goes back to it (by name).
                    onClick={() => onSort(active ? "name" : order.sort)}
                    title={
                      active ? `Sorted ${order.title}${order.sort === "name" ? "" : "; click to sort by name"}` : `Sort ${order.title}`
                    }
                  >
                    {label}
                    <span aria-hidden className={cn(!active && "opacity-30")}>
                      {order.direction === "ascending" ? "↑" : "↓"}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800/80">
          {items.map((session) => (
            <SessionRow
              key={session.name}
              session={session}
              checked={selected.has(session.name)}
              onToggle={onToggle}
              onMetadata={onMetadata}
              rows={rows}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * One row; memoized, so a change of the search (the rows dimmed while it loads) or a live update of another
 * session does not render the rows that stay the same.
 */
const SessionRow = memo(function SessionRow({
  session,
  checked,
  onToggle,
  onMetadata,
  rows,
}: {
  session: TSession;
  checked: boolean;
  onToggle: (name: string) => void;
  onMetadata: (key: string, value: string) => void;
  rows: TRowNavigation;
}) {
  return (
    <tr
      data-testid="session-row"
      data-session={session.name}
      onClick={(event) => rows.open(event, session.name)}
      onPointerEnter={() => rows.intent(session.name)}
      onFocus={() => rows.intent(session.name)}
      className={cn(
        "group cursor-pointer transition-colors hover:bg-zinc-50 dark:hover:bg-zinc-800/40",
        checked && "bg-emerald-50/50 dark:bg-emerald-950/20",
      )}
    >
      <td className="py-2.5 pr-1 pl-4">
        <Checkbox aria-label={`Select ${session.name}`} checked={checked} onChange={() => onToggle(session.name)} />
      </td>
      <td className="max-w-[16rem] px-3 py-2.5">
        <Link
          href={sessionHref(session.name)}
          prefetch={false}
          className="block truncate font-mono text-[13px] font-medium text-zinc-900 hover:text-emerald-700 hover:underline dark:text-zinc-100 dark:hover:text-emerald-400"
        >
          {session.name}
        </Link>
      </td>
      <td className="px-3 py-2.5">
        <StatusBadge status={session.status} hint={statusHint(session)} />
      </td>
      <td className="max-w-[18rem] px-3 py-2.5">
        <HealthSummary session={session} />
      </td>
      <td className="px-3 py-2.5 font-mono text-[13px] whitespace-nowrap text-zinc-700 tabular-nums dark:text-zinc-300">
        {formatPhone(session.me?.id) ?? <span className="text-zinc-400 dark:text-zinc-600">—</span>}
      </td>
      <td className="hidden max-w-[12rem] truncate px-3 py-2.5 text-zinc-700 lg:table-cell dark:text-zinc-300">
        {session.me?.pushName ?? <span className="text-zinc-400 dark:text-zinc-600">—</span>}
      </td>
      <td className="hidden px-3 py-2.5 xl:table-cell">
        <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{session.engine.engine}</span>
      </td>
      <td className="px-3 py-2.5 text-right font-mono text-[13px] whitespace-nowrap text-zinc-700 dark:text-zinc-300">
        <MemoryFigure resources={session.resources} />
      </td>
      <td className="hidden px-3 py-2.5 text-right font-mono text-[13px] whitespace-nowrap text-zinc-700 lg:table-cell dark:text-zinc-300">
        <CpuFigure resources={session.resources} />
      </td>
      <td className="px-3 py-2.5">
        <MetadataChips metadata={session.config.metadata} onSelect={onMetadata} />
      </td>
      <td className="px-3 py-2.5 text-right text-[13px] whitespace-nowrap text-zinc-500 dark:text-zinc-400">
        <ActivityTime timestamp={session.timestamps.activity} />
      </td>
    </tr>
  );
});
