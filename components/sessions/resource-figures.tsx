import { formatBytes, formatPercent } from "@/lib/chart-geometry";
import type { TSessionResources } from "@/lib/session";
import { formatTime } from "@/components/ui/time";

const NONE = <span className="text-zinc-400 dark:text-zinc-600">—</span>;

/** What the memory figure stands for, in full: PSS, RSS, processes and when it was read. */
export function memoryDetail(resources: TSessionResources): string {
  const { memory, processes, sampledAt } = resources;
  return `PSS ${formatBytes(memory.pss)} (shared pages split between their users) · RSS ${formatBytes(memory.rss)} · ${processes} process${processes === 1 ? "" : "es"} · sampled at ${formatTime(sampledAt)}`;
}

/** The browser's PSS, with RSS and the rest on hover (and for screen readers); a dash without a browser. */
export function MemoryFigure({ resources }: { resources: TSessionResources | null }) {
  if (!resources) return <span data-testid="session-memory">{NONE}</span>;
  return (
    <span
      data-testid="session-memory"
      data-pss={resources.memory.pss}
      data-rss={resources.memory.rss}
      title={memoryDetail(resources)}
      className="cursor-help tabular-nums"
    >
      {formatBytes(resources.memory.pss)}
      <span className="sr-only">, RSS {formatBytes(resources.memory.rss)}</span>
    </span>
  );
}

/** CPU over the last sampling interval (100% is one core); a dash without a browser or before the second sample. */
export function CpuFigure({ resources }: { resources: TSessionResources | null }) {
  if (resources?.cpu === null || resources?.cpu === undefined) return <span data-testid="session-cpu">{NONE}</span>;
  return (
    <span data-testid="session-cpu" data-cpu={resources.cpu} className="tabular-nums">
      {formatPercent(resources.cpu)}
    </span>
  );
}
