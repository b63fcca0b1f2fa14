"use client";

import { isApiError } from "@/lib/api-client";
import type { TWorker } from "@/lib/cluster";
import { useWorkers, WORKERS_REFRESH_MS } from "@/components/data/workers";
import { PageHeader } from "@/components/shell/app-shell";
import { Alert } from "@/components/ui/alert";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { RefreshIcon } from "@/components/ui/icons";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDateTime, formatRelative, RelativeTime, useNow } from "@/components/ui/time";

/**
 * The cluster's workers (GET /api/server/workers), asked again every WORKERS_REFRESH_MS: each one's
 * state, load (sessions against its capacity) and lease. Outside cluster mode the page says why there
 * is only one server and shows it.
 */
export function WorkersView({ cluster }: { cluster: boolean }) {
  const workers = useWorkers();
  const list = workers.data;

  return (
    <>
      <PageHeader
        title="Workers"
        description={
          cluster
            ? `The servers sharing this cluster's sessions, refreshed every ${WORKERS_REFRESH_MS / 1000} s.`
            : "The server running the sessions."
        }
        actions={list && <Summary workers={list} />}
      />
      {!cluster && (
        <Alert tone="info" title="Not in cluster mode" className="mb-4">
          This server runs alone on its own database, so it is the only worker. In cluster mode (several Switchboard servers on one
          PostgreSQL <code className="font-mono">DATABASE_URL</code>, docs/cluster.md) this page lists every worker with its state, load and
          lease.
        </Alert>
      )}
      {workers.error && (
        <Alert
          tone="error"
          title={list ? "The workers could not be refreshed" : "The workers could not be loaded"}
          className="mb-4"
          actions={
            <Button size="sm" variant="secondary" icon={<RefreshIcon className="size-4" />} onClick={() => void workers.refetch()}>
              Try again
            </Button>
          }
        >
          {errorText(workers.error)}
          {list && <> Showing the figures of {formatDateTime(workers.dataUpdatedAt)}.</>}
        </Alert>
      )}
      {list ? (
        <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3" aria-label="Workers" data-testid="workers">
          {list.map((worker) => (
            <WorkerCard key={worker.id} worker={worker} />
          ))}
        </ul>
      ) : (
        !workers.error && (
          <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3" aria-busy="true" aria-label="Loading workers">
            {[0, 1, 2].map((i) => (
              <Skeleton key={i} className="h-44 rounded-xl" />
            ))}
          </div>
        )
      )}
      {list && (
        <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400" data-testid="workers-updated">
          Updated <RelativeTime timestamp={workers.dataUpdatedAt} />
        </p>
      )}
    </>
  );
}

function errorText(error: unknown): string {
  if (isApiError(error)) return error.status === 0 ? error.message : `${error.message} (HTTP ${error.status})`;
  return error instanceof Error ? error.message : "Unexpected error; check the server log.";
}

function Summary({ workers }: { workers: TWorker[] }) {
  const count = (state: TWorker["state"]) => workers.filter((w) => w.state === state).length;
  const sessions = workers.reduce((sum, w) => sum + w.sessions, 0);
  const live = workers.filter((w) => w.state !== "gone");
  const capacity = live.every((w) => w.capacity !== null) ? live.reduce((sum, w) => sum + (w.capacity ?? 0), 0) : null;
  return (
    <p className="flex flex-wrap gap-x-3 gap-y-1 text-[13px] text-zinc-600 tabular-nums dark:text-zinc-400" data-testid="workers-summary">
      <span>
        {count("alive")} alive
        {count("draining") > 0 && `, ${count("draining")} draining`}
        {count("gone") > 0 && `, ${count("gone")} gone`}
      </span>
      <span>
        {sessions} session{sessions === 1 ? "" : "s"}
        {capacity !== null && ` of ${capacity}`}
      </span>
    </p>
  );
}

const STATE: Record<TWorker["state"], { tone: BadgeTone; label: string; help: string }> = {
  alive: { tone: "green", label: "Alive", help: "Renewing its lease and taking sessions" },
  draining: { tone: "amber", label: "Draining", help: "Handing its sessions to the others before it stops" },
  gone: { tone: "red", label: "Gone", help: "Its lease lapsed: stopped, crashed or cut off from the database" },
};

function WorkerCard({ worker }: { worker: TWorker }) {
  const state = STATE[worker.state];
  return (
    <li data-testid="worker" data-worker={worker.id} data-state={worker.state}>
      <Card className={cn("h-full", worker.state === "gone" && "opacity-75")}>
        <div className="flex items-start justify-between gap-3 border-b border-zinc-100 px-4 py-3 dark:border-zinc-800">
          <div className="min-w-0">
            <h2 className="truncate font-mono text-sm font-semibold text-zinc-900 dark:text-zinc-50">{worker.id}</h2>
            <p className="truncate font-mono text-xs text-zinc-500 dark:text-zinc-400" title={worker.url}>
              {worker.url}
            </p>
          </div>
          <Badge tone={state.tone} title={state.help} data-testid="worker-state">
            {state.label}
          </Badge>
        </div>
        <dl className="grid gap-3 px-4 py-3 text-[13px]">
          <div>
            <dt className="text-xs text-zinc-500 dark:text-zinc-400">Load</dt>
            <dd data-testid="worker-load">
              <Load sessions={worker.sessions} capacity={worker.capacity} />
            </dd>
          </div>
          <div className="grid grid-cols-2 gap-3">
            <div className="min-w-0">
              <dt className="text-xs text-zinc-500 dark:text-zinc-400">Lease</dt>
              <dd data-testid="worker-lease" className="text-zinc-800 dark:text-zinc-200">
                <Lease worker={worker} />
              </dd>
            </div>
            <div className="min-w-0">
              <dt className="text-xs text-zinc-500 dark:text-zinc-400">Started</dt>
              <dd className="text-zinc-800 dark:text-zinc-200">
                <RelativeTime timestamp={Date.parse(worker.startedAt)} />
              </dd>
            </div>
          </div>
        </dl>
      </Card>
    </li>
  );
}

function Load({ sessions, capacity }: { sessions: number; capacity: number | null }) {
  const label = `${sessions} session${sessions === 1 ? "" : "s"}`;
  if (capacity === null) {
    return (
      <span className="text-zinc-800 tabular-nums dark:text-zinc-200">
        {label} <span className="text-zinc-500 dark:text-zinc-400">· no capacity limit</span>
      </span>
    );
  }
  const share = capacity > 0 ? Math.min(1, sessions / capacity) : 1;
  return (
    <div className="grid gap-1.5">
      <span className="text-zinc-800 tabular-nums dark:text-zinc-200">
        {sessions} / {capacity} sessions
      </span>
      <div
        role="meter"
        aria-label="Load"
        aria-valuemin={0}
        aria-valuemax={capacity}
        aria-valuenow={sessions}
        className="h-1.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800"
      >
        <div
          className={cn("h-full rounded-full", share >= 1 ? "bg-red-500" : share >= 0.8 ? "bg-amber-500" : "bg-emerald-500")}
          style={{ width: `${share * 100}%` }}
        />
      </div>
    </div>
  );
}

/** When the lease lapses unless renewed; a lapsed one, since when. By this browser's clock, to the second. */
function Lease({ worker }: { worker: TWorker }) {
  const now = useNow();
  if (worker.leaseUntil === null) return <span className="text-zinc-500 dark:text-zinc-400">None (not in cluster mode)</span>;
  const until = Date.parse(worker.leaseUntil);
  const text = !now
    ? formatDateTime(until)
    : until > now
      ? `lapses in ${Math.ceil((until - now) / 1000)} s`
      : `lapsed ${formatRelative(until, now)}`;
  return (
    <time dateTime={worker.leaseUntil} title={formatDateTime(until)} className="tabular-nums" suppressHydrationWarning>
      {until > now && worker.state !== "gone" ? text : <span className="text-red-700 dark:text-red-400">{text}</span>}
    </time>
  );
}
