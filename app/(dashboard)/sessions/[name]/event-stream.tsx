"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { useLiveEvents } from "@/components/data/realtime";
import { streamEvents, type TLiveEvent } from "@/components/data/event-log";
import { EventNameBadge, PauseAndClear, eventPreview } from "@/components/events/live-event-parts";
import { EmptyState } from "@/components/ui/empty-state";
import { Select, Switch } from "@/components/ui/field";
import { formatTime } from "@/components/ui/time";

/** Events of this session as they happen (Socket.IO), newest first; kept in memory only. */
export function EventStream({ session }: { session: string }) {
  const { events, clear } = useLiveEvents(session);
  const [paused, setPaused] = useState<TLiveEvent[] | null>(null);
  const [filter, setFilter] = useState("");
  const [engine, setEngine] = useState(false);
  const source = paused ?? events;
  const names = useMemo(() => [...new Set(streamEvents(events, { engine, name: "" }).map((e) => e.event))].sort(), [events, engine]);
  const shown = streamEvents(source, { engine, name: filter });
  const waiting = events.length - (paused?.length ?? events.length);

  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <label className="flex items-center gap-2 text-[13px]">
          <span className="text-zinc-600 dark:text-zinc-400">Event</span>
          <Select
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            className="h-8 w-48 text-[13px]"
            aria-label="Filter events by name"
          >
            <option value="">All events</option>
            {names.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </Select>
        </label>
        <div className="w-56">
          <Switch id="stream-engine" checked={engine} onChange={setEngine} label="Raw engine events" />
        </div>
        <div className="ml-auto flex items-center gap-2">
          <Link
            href={`/events?session=${encodeURIComponent(session)}`}
            className="px-1 text-[13px] font-medium text-emerald-700 hover:underline dark:text-emerald-400"
          >
            Event monitor
          </Link>
          <PauseAndClear
            paused={paused !== null}
            waiting={waiting}
            onPause={() => setPaused(paused ? null : events)}
            onClear={() => {
              clear();
              setPaused(null);
            }}
            clearDisabled={events.length === 0}
          />
        </div>
      </div>
      {shown.length === 0 ? (
        <EmptyState
          title={paused ? "Paused" : "Listening for events…"}
          className="rounded-lg border border-dashed border-zinc-300 py-10 dark:border-zinc-700"
        >
          Every event this session emits (the same envelopes its webhooks receive) appears here the moment it happens. Events from before
          this page was opened are in the delivery log.
        </EmptyState>
      ) : (
        <ol
          className="divide-y divide-zinc-100 overflow-hidden rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
          aria-label="Live events"
          data-testid="event-stream"
        >
          {shown.map((item) => (
            <li key={item.key} data-testid="stream-event" data-event={item.event}>
              <details className="group">
                <summary className="flex cursor-pointer list-none items-center gap-3 px-3 py-2 text-[13px] hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
                  <span className="shrink-0 font-mono text-xs text-zinc-500 tabular-nums">{formatTime(item.timestamp)}</span>
                  <EventNameBadge event={item.event} payload={payloadOf(item)} />
                  <span className="min-w-0 truncate font-mono text-xs text-zinc-500 dark:text-zinc-400">
                    {eventPreview(item.kind === "event" ? payloadOf(item) : item.data, 160)}
                  </span>
                </summary>
                <pre className="max-h-80 overflow-auto bg-zinc-50 px-3 py-2 font-mono text-xs leading-relaxed text-zinc-800 dark:bg-zinc-950 dark:text-zinc-200">
                  {JSON.stringify(item.data, null, 2)}
                </pre>
              </details>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** An envelope's payload; the whole message when it has none. */
function payloadOf(item: TLiveEvent): unknown {
  const data = item.data as { payload?: unknown } | null;
  return data && typeof data === "object" && "payload" in data ? data.payload : item.data;
}
