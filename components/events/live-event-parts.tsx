"use client";

import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { PauseIcon, PlayIcon, TrashIcon } from "@/components/ui/icons";

/** What the event monitor and a session's live events share: the pause and clear controls, and how one event reads. */

const TONE: Partial<Record<string, BadgeTone>> = {
  "session.status": "blue",
  "engine.event": "neutral",
  message: "green",
  "message.any": "green",
};

/** An event's name as a badge, with an engine.event's library event name (`message`, `qr`, `ready`…) beside it. */
export function EventNameBadge({ event, payload }: { event: string; payload: unknown }) {
  const raw = event === "engine.event" ? rawEventName(payload) : null;
  return (
    <span className="flex shrink-0 items-center gap-1.5">
      <Badge tone={TONE[event] ?? "violet"} className="font-mono">
        {event}
      </Badge>
      {raw && <span className="font-mono text-xs text-zinc-600 dark:text-zinc-300">{raw}</span>}
    </span>
  );
}

function rawEventName(payload: unknown): string | null {
  const name = (payload as { event?: unknown } | null)?.event;
  return typeof name === "string" ? name : null;
}

/** One line of an event's content, cut at `max` characters. */
export function eventPreview(payload: unknown, max: number): string {
  const text = JSON.stringify(payload) ?? "";
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Pause (events keep being collected underneath; Resume says how many came), and Clear. */
export function PauseAndClear({
  paused,
  waiting,
  onPause,
  onClear,
  clearDisabled,
}: {
  paused: boolean;
  waiting: number;
  onPause: () => void;
  onClear: () => void;
  clearDisabled: boolean;
}) {
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        icon={paused ? <PlayIcon className="size-3.5" /> : <PauseIcon className="size-3.5" />}
        onClick={onPause}
      >
        {paused ? `Resume${waiting > 0 ? ` (${waiting} new)` : ""}` : "Pause"}
      </Button>
      <Button size="sm" variant="ghost" icon={<TrashIcon className="size-3.5" />} onClick={onClear} disabled={clearDisabled}>
        Clear
      </Button>
    </>
  );
}
