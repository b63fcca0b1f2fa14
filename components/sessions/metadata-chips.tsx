import { cn } from "@/components/ui/cn";

/** key=value chips; clicking one (when onSelect is given) filters by it. */
export function MetadataChips({
  metadata,
  max = 3,
  onSelect,
  className,
}: {
  metadata: Record<string, string> | null | undefined;
  max?: number;
  onSelect?: (key: string, value: string) => void;
  className?: string;
}) {
  const entries = Object.entries(metadata ?? {});
  if (!entries.length) return <span className="text-zinc-400 dark:text-zinc-600">—</span>;
  const shown = entries.slice(0, max);
  const chip =
    "inline-flex max-w-[14rem] items-center rounded-md border border-zinc-200 bg-zinc-50 px-1.5 py-0.5 font-mono text-[11px] text-zinc-700 dark:border-zinc-700/70 dark:bg-zinc-800/60 dark:text-zinc-300";
  return (
    <ul className={cn("flex flex-wrap gap-1", className)} aria-label="Metadata">
      {shown.map(([key, value]) => (
        <li key={key}>
          {onSelect ? (
            <button
              type="button"
              className={cn(
                chip,
                "hover:border-emerald-400 hover:bg-emerald-50 dark:hover:border-emerald-600 dark:hover:bg-emerald-950/40",
              )}
              title={`Filter by ${key}=${value}`}
              onClick={() => onSelect(key, value)}
            >
              <span className="truncate">
                <span className="text-zinc-500 dark:text-zinc-400">{key}=</span>
                {value}
              </span>
            </button>
          ) : (
            <span className={chip}>
              <span className="truncate">
                <span className="text-zinc-500 dark:text-zinc-400">{key}=</span>
                {value}
              </span>
            </span>
          )}
        </li>
      ))}
      {entries.length > max && (
        <li
          className="self-center text-[11px] text-zinc-500"
          title={entries
            .slice(max)
            .map(([k, v]) => `${k}=${v}`)
            .join(", ")}
        >
          +{entries.length - max}
        </li>
      )}
    </ul>
  );
}

/** "11111111111@c.us" -> "+11111111111" */
export function formatPhone(id: string | null | undefined): string | null {
  if (!id) return null;
  const digits = id.split("@")[0].split(":")[0];
  return /^\d+$/.test(digits) ? `+${digits}` : digits;
}
