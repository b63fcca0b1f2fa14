import type { TSessionStatus } from "@/lib/session-status";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";

export const STATUS_INFO: Record<TSessionStatus, { label: string; tone: BadgeTone; dot: string; hint: string }> = {
  STOPPED: { label: "Stopped", tone: "neutral", dot: "bg-zinc-400", hint: "Not running. Start it to connect." },
  STARTING: { label: "Starting", tone: "blue", dot: "bg-sky-500", hint: "Chromium and WhatsApp Web are loading." },
  SCAN_QR_CODE: {
    label: "Scan QR",
    tone: "amber",
    dot: "bg-amber-500",
    hint: "Waiting for a phone to scan the QR or enter a pairing code.",
  },
  WORKING: { label: "Working", tone: "green", dot: "bg-emerald-500", hint: "Connected and ready." },
  FAILED: { label: "Failed", tone: "red", dot: "bg-red-500", hint: "Stopped on an error; its reason says why." },
};

/**
 * The session's live status; `data-status` carries the raw value for tests and scripts. `hint` replaces the
 * status's general hint (its tooltip) with one about this session, e.g. what to do about its failure.
 */
export function StatusBadge({
  status,
  className,
  live,
  hint,
}: {
  status: TSessionStatus;
  className?: string;
  live?: boolean;
  hint?: string;
}) {
  const info = STATUS_INFO[status];
  const animated = status === "STARTING" || status === "SCAN_QR_CODE";
  return (
    <Badge
      tone={info.tone}
      className={className}
      data-testid="status-badge"
      data-status={status}
      title={hint ?? info.hint}
      aria-live={live ? "polite" : undefined}
    >
      <span aria-hidden="true" className={cn("size-1.5 rounded-full", info.dot, animated && "sb-live-dot")} />
      {info.label}
      <span className="sr-only"> ({status})</span>
    </Badge>
  );
}
