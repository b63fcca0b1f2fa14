import { SESSION_STATUSES, type TSessionStatus } from "@/lib/session-status";
import { STATUS_INFO } from "@/components/sessions/status-badge";
import { cn } from "@/components/ui/cn";

/** One toggle chip per status, with how many sessions of the search have it; none pressed means every status. */
export function StatusFilter({
  value,
  onChange,
  counts,
}: {
  value: TSessionStatus[];
  onChange: (value: TSessionStatus[]) => void;
  counts: Record<TSessionStatus, number> | undefined;
}) {
  return (
    <div role="group" aria-label="Filter by status" className="scrollbar-thin flex gap-1 overflow-x-auto">
      {SESSION_STATUSES.map((status) => {
        const active = value.includes(status);
        return (
          <button
            key={status}
            type="button"
            data-testid="status-chip"
            data-status={status}
            data-count={counts?.[status]}
            aria-pressed={active}
            onClick={() => onChange(active ? value.filter((s) => s !== status) : [...value, status])}
            className={cn(
              "inline-flex h-9 items-center gap-1.5 rounded-lg border px-2.5 text-[13px] font-medium whitespace-nowrap transition-colors",
              active
                ? "border-emerald-600 bg-emerald-50 text-emerald-800 dark:border-emerald-500 dark:bg-emerald-950/50 dark:text-emerald-200"
                : "border-zinc-300 bg-white text-zinc-600 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800",
            )}
          >
            <span aria-hidden="true" className={cn("size-1.5 rounded-full", STATUS_INFO[status].dot)} />
            {STATUS_INFO[status].label}
            {counts && (
              <span
                data-testid="status-chip-count"
                className={cn(
                  "rounded-full px-1.5 text-xs tabular-nums",
                  active ? "bg-emerald-100 dark:bg-emerald-900/60" : "bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400",
                )}
              >
                {counts[status].toLocaleString("en-US")}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
