"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { memo, useDeferredValue, useEffect, useMemo, useState } from "react";
import { ALL_EVENTS_LIMIT, type TLiveEvent } from "@/components/data/event-log";
import { EventNameBadge, PauseAndClear, eventPreview } from "@/components/events/live-event-parts";
import { useAllEventsRate, useAllLiveEvents, useRealtimeState } from "@/components/data/realtime";
import { PageHeader } from "@/components/shell/app-shell";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Select } from "@/components/ui/field";
import { ActivityIcon, SearchIcon, XIcon } from "@/components/ui/icons";
import { formatTime } from "@/components/ui/time";
import { EVENT_NAMES } from "@/lib/event-names";

/**
 * Every session's events as they happen: the envelopes webhooks get, pushed over Socket.IO (a `*`
 * subscription, each message checked against its schema in components/data/realtime.tsx), newest
 * first, kept in memory only. Filters (session, event name, text) live in the address, so a filtered
 * view can be linked; Pause freezes the list while events keep being collected underneath.
 */
export function EventMonitor() {
  const params = useSearchParams();
  const { events, received, clear } = useAllLiveEvents();
  const [paused, setPaused] = useState<{ events: TLiveEvent[]; received: number } | null>(null);
  const [session, setSession] = useState(params.get("session") ?? "");
  const [event, setEvent] = useState(params.get("event") ?? "");
  const [text, setText] = useState(params.get("q") ?? "");
  const query = useDeferredValue(text.trim().toLowerCase());

  useEffect(() => {
    const url = new URL(window.location.href);
    for (const [key, value] of [
      ["session", session],
      ["event", event],
      ["q", text.trim()],
    ]) {
      if (value) url.searchParams.set(key, value);
      else url.searchParams.delete(key);
    }
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url);
  }, [session, event, text]);

  const source = paused?.events ?? events;
  const sessions = useMemo(() => {
    const names = new Set(events.map((item) => item.session));
    if (session) names.add(session);
    return [...names].sort();
  }, [events, session]);
  const shown = useMemo(
    () =>
      source.filter(
        (item) =>
          (!session || item.session === session) && (!event || item.event === event) && (!query || searchText(item).includes(query)),
      ),
    [source, session, event, query],
  );
  const filtered = Boolean(session || event || query);
  const waiting = paused ? received - paused.received : 0;

  return (
    <>
      <PageHeader
        title="Event monitor"
        description="Every session's events the moment they happen: the envelopes their webhooks receive."
        actions={<MonitorState paused={paused !== null} />}
      />
      <Card>
        <div className="grid gap-3 border-b border-zinc-100 px-4 py-3 sm:px-5 dark:border-zinc-800">
          <div className="grid grid-cols-2 gap-2 sm:grid-cols-[minmax(0,12rem)_minmax(0,14rem)_minmax(0,1fr)] sm:gap-3">
            <Select value={session} onChange={(e) => setSession(e.target.value)} aria-label="Filter by session" className="text-[13px]">
              <option value="">All sessions</option>
              {sessions.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </Select>
            <Select value={event} onChange={(e) => setEvent(e.target.value)} aria-label="Filter by event" className="text-[13px]">
              <option value="">All events</option>
              {EVENT_NAMES.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </Select>
            <div className="relative col-span-2 sm:col-span-1">
              <SearchIcon className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-400" />
              <Input
                type="search"
                value={text}
                onChange={(e) => setText(e.target.value)}
                placeholder="Search the events' content"
                aria-label="Search events"
                className="pl-8 text-[13px]"
              />
            </div>
          </div>
          <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
            <p className="text-xs text-zinc-500 tabular-nums dark:text-zinc-400" data-testid="monitor-counts" aria-live="off">
              {filtered ? `${shown.length} of ${source.length} shown` : `${source.length} shown`} · {received} received
              <EventRate />
            </p>
            <div className="ml-auto flex gap-2">
              {filtered && (
                <Button
                  size="sm"
                  variant="ghost"
                  icon={<XIcon className="size-3.5" />}
                  onClick={() => {
                    setSession("");
                    setEvent("");
                    setText("");
                  }}
                >
                  Clear filters
                </Button>
              )}
              <PauseAndClear
                paused={paused !== null}
                waiting={waiting}
                onPause={() => setPaused(paused ? null : { events, received })}
                onClear={() => {
                  clear();
                  setPaused(null);
                }}
                clearDisabled={events.length === 0 && !paused}
              />
            </div>
          </div>
        </div>
        {shown.length === 0 ? (
          <EmptyState icon={<ActivityIcon className="size-5" />} title={emptyTitle(paused !== null, filtered, source.length)}>
            {filtered && source.length > 0
              ? "Events keep arriving; those that match the filters appear here."
              : `Every event of every session appears here as it happens; the last ${ALL_EVENTS_LIMIT} are kept while this page is open. Earlier events are in each session's delivery log.`}
          </EmptyState>
        ) : (
          <ol className="divide-y divide-zinc-100 dark:divide-zinc-800" aria-label="Events" data-testid="monitor-events">
            {shown.map((item) => (
              <EventRow key={item.key} item={item} onSession={setSession} />
            ))}
          </ol>
        )}
      </Card>
    </>
  );
}

function emptyTitle(paused: boolean, filtered: boolean, kept: number): string {
  if (filtered && kept > 0) return "No event matches the filters";
  return paused ? "Paused" : "Listening for events…";
}

/** Live or paused, and whether the push channel is up: a paused or cut-off monitor must not look live. */
function MonitorState({ paused }: { paused: boolean }) {
  const state = useRealtimeState();
  const [tone, label]: [BadgeTone, string] = paused
    ? ["amber", "Paused"]
    : state === "connected"
      ? ["green", "Live"]
      : state === "unauthorized"
        ? ["red", "Signed out"]
        : ["amber", "Connecting"];
  return (
    <Badge tone={tone} data-testid="monitor-state" data-state={paused ? "paused" : state}>
      {label}
    </Badge>
  );
}

/** Events per second over the last 10 s, counted as they arrive here (the servers' clocks play no part). */
function EventRate() {
  const rate = useAllEventsRate();
  if (rate === null) return null;
  return <> · {rate < 10 ? rate.toFixed(1) : Math.round(rate)}/s</>;
}

const EventRow = memo(function EventRow({ item, onSession }: { item: TLiveEvent; onSession: (session: string) => void }) {
  const envelope = item.data as { payload?: unknown };
  return (
    <li data-testid="monitor-event" data-session={item.session} data-event={item.event} data-key={item.key}>
      <details className="group">
        <summary className="flex cursor-pointer list-none flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-[13px] hover:bg-zinc-50 sm:flex-nowrap sm:px-5 dark:hover:bg-zinc-800/40">
          <span className="shrink-0 font-mono text-xs text-zinc-500 tabular-nums dark:text-zinc-400">{formatTime(item.timestamp)}</span>
          <button
            type="button"
            title={`Show only ${item.session}`}
            onClick={(e) => {
              // Inside <summary>: filter, without also opening the row.
              e.preventDefault();
              onSession(item.session);
            }}
            className="max-w-[10rem] shrink-0 truncate rounded font-mono text-xs font-medium text-zinc-800 hover:text-emerald-700 hover:underline sm:max-w-[12rem] dark:text-zinc-200 dark:hover:text-emerald-400"
          >
            {item.session}
          </button>
          <EventNameBadge event={item.event} payload={envelope.payload} />
          <span className="w-full min-w-0 truncate font-mono text-xs text-zinc-500 sm:w-auto sm:flex-1 dark:text-zinc-400">
            {eventPreview(envelope.payload, 200)}
          </span>
        </summary>
        <div className="border-t border-zinc-100 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-950">
          <div className="flex justify-end px-4 pt-2 sm:px-5">
            <Link
              href={`/sessions/${encodeURIComponent(item.session)}`}
              className="text-xs font-medium text-emerald-700 hover:underline dark:text-emerald-400"
            >
              Open {item.session}
            </Link>
          </div>
          <pre className="max-h-80 overflow-auto px-4 pb-3 font-mono text-xs leading-relaxed text-zinc-800 sm:px-5 dark:text-zinc-200">
            {JSON.stringify(item.data, null, 2)}
          </pre>
        </div>
      </details>
    </li>
  );
});

/** The envelope as lower-case JSON, what the text filter searches; made once per event. */
const searchable = new WeakMap<TLiveEvent, string>();
function searchText(item: TLiveEvent): string {
  let text = searchable.get(item);
  if (text === undefined) {
    text = (JSON.stringify(item.data) ?? "").toLowerCase();
    searchable.set(item, text);
  }
  return text;
}
