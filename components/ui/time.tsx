"use client";

import { useSyncExternalStore } from "react";

/** One shared 1-second clock for every relative time and countdown on the page. */
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      listeners.forEach((l) => l());
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (!listeners.size && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

export function useNow(): number {
  return useSyncExternalStore(
    subscribe,
    () => now,
    () => 0,
  );
}

export function formatRelative(timestamp: number, current: number): string {
  const seconds = Math.round((current - timestamp) / 1000);
  if (Math.abs(seconds) < 5) return "just now";
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60
      ? [abs, "s"]
      : abs < 3600
        ? [Math.floor(abs / 60), "min"]
        : abs < 86_400
          ? [Math.floor(abs / 3600), "h"]
          : [Math.floor(abs / 86_400), "d"];
  return seconds >= 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/*
 * One formatter of each kind, made on first use: toLocaleString with options builds a new Intl.DateTimeFormat per
 * call, and every relative time renders its exact time (its tooltip) once a second.
 */
let dateTimeFormat: Intl.DateTimeFormat | null = null;
let timeFormat: Intl.DateTimeFormat | null = null;

export function formatDateTime(timestamp: number): string {
  dateTimeFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
  return dateTimeFormat.format(timestamp);
}

export function formatTime(timestamp: number): string {
  timeFormat ??= new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return timeFormat.format(timestamp);
}

/**
 * "3 min ago", with the exact time in a tooltip and a machine-readable <time>.
 * `at`: reckon from that moment instead of now, so the text stops counting (a frozen, stale view).
 */
export function RelativeTime({
  timestamp,
  at,
  className,
}: {
  timestamp: number | null | undefined;
  at?: number | null;
  className?: string;
}) {
  const ticking = useNow();
  const current = at ?? ticking;
  if (!timestamp) return <span className={className}>—</span>;
  return (
    <time dateTime={new Date(timestamp).toISOString()} title={formatDateTime(timestamp)} className={className} suppressHydrationWarning>
      {current ? formatRelative(timestamp, current) : formatDateTime(timestamp)}
    </time>
  );
}
