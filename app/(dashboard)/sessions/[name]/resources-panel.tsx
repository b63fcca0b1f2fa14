"use client";

import { useMemo } from "react";
import { formatBytes, formatPercent, formatPerMinute } from "@/lib/chart-geometry";
import type { TSession, TSessionResourceHistory } from "@/lib/session";
import { isRunningStatus } from "@/lib/session-status";
import { useSessionResources } from "@/components/data/resources";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ActivityIcon } from "@/components/ui/icons";
import { LineChart } from "@/components/ui/line-chart";
import { Skeleton } from "@/components/ui/skeleton";
import { formatTime } from "@/components/ui/time";

const HOUR_MS = 3_600_000;
const MIN_WINDOW_MS = 5 * 60_000;
/** Smallest tops of the value axes: a quiet session's lines stay low instead of filling the plot. */
const FLOORS = { memory: 64 * 1024 * 1024, cpu: 5, events: 5 };

/**
 * The session's browser over the last hour (GET /api/sessions/{name}/resources, checked against its schema):
 * memory (PSS, with RSS beside it), CPU and library events per minute, asked again every sampling interval
 * while the session runs. The samples live in the server's memory, so a restart of the server starts them again.
 */
export function ResourcesPanel({ session }: { session: TSession }) {
  const running = isRunningStatus(session.status);
  const query = useSessionResources(session.name, running);
  return (
    <Card aria-labelledby="resources-title">
      <CardHeader
        id="resources-title"
        title="Resources"
        description={
          query.data && query.data.intervalSeconds > 0
            ? `The browser's memory, CPU and events over the last hour, sampled every ${query.data.intervalSeconds} s`
            : "The browser's memory, CPU and events over the last hour"
        }
      />
      <CardBody>
        <ResourcesBody session={session} running={running} query={query} />
      </CardBody>
    </Card>
  );
}

function ResourcesBody({
  session,
  running,
  query,
}: {
  session: TSession;
  running: boolean;
  query: ReturnType<typeof useSessionResources>;
}) {
  if (query.isError && !query.data) {
    return (
      <div data-testid="resources-panel" data-state="error">
        <Alert
          tone="error"
          title="The resource samples could not be loaded"
          actions={
            <Button size="sm" variant="secondary" onClick={() => query.refetch()}>
              Try again
            </Button>
          }
        >
          {query.error.message}
        </Alert>
      </div>
    );
  }
  if (!query.data) {
    return (
      <div className="grid gap-6 md:grid-cols-2 xl:grid-cols-3" data-testid="resources-panel" data-state="loading" aria-busy="true">
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} className="h-[170px] w-full" />
        ))}
      </div>
    );
  }
  if (query.data.intervalSeconds === 0) {
    return (
      <Empty state="off" title="Sampling is off">
        The server does not measure browsers (<code className="font-mono">SWITCHBOARD_RESOURCES_INTERVAL_SECONDS=0</code>).
      </Empty>
    );
  }
  if (query.data.samples.length === 0) {
    return running ? (
      <Empty state="waiting" title="Waiting for the first sample">
        The browser is measured every {query.data.intervalSeconds} s; the charts appear after the first reading.
      </Empty>
    ) : (
      <Empty state="stopped" title={`${session.status === "FAILED" ? "Failed" : "Stopped"}: no browser to measure`}>
        Start the session to see its memory, CPU and events here. Samples are kept for an hour while the server runs.
      </Empty>
    );
  }
  return <ResourceCharts history={query.data} running={running} />;
}

function Empty({ state, title, children }: { state: string; title: string; children: React.ReactNode }) {
  return (
    <div data-testid="resources-panel" data-state={state}>
      <EmptyState icon={<ActivityIcon className="size-5" />} title={title} className="py-8">
        {children}
      </EmptyState>
    </div>
  );
}

function ResourceCharts({ history, running }: { history: TSessionResourceHistory; running: boolean }) {
  const { samples, intervalSeconds } = history;
  const columns = useMemo(
    () => ({
      timestamps: samples.map((s) => s.timestamp),
      pss: samples.map((s) => s.memory.pss),
      rss: samples.map((s) => s.memory.rss),
      cpu: samples.map((s) => s.cpu),
      events: samples.map((s) => s.eventsPerMinute),
    }),
    [samples],
  );
  // The window ends at the latest sample, on the server's clock, so a browser whose clock is off draws it right.
  // It spans the samples there are (at least a few minutes, at most the hour kept), so a young session's lines are not a sliver.
  const to = samples.at(-1)!.timestamp;
  const from = to - Math.min(HOUR_MS, Math.max(MIN_WINDOW_MS, to - samples[0].timestamp));
  const common = {
    timestamps: columns.timestamps,
    from,
    to,
    // Two missed rounds in a row: the browser was gone (stopped, restarted) in between.
    maxGapMs: intervalSeconds * 1000 * 2.5,
    endLabel: running ? "now" : formatTime(to),
    "data-points": samples.length,
  };
  return (
    <div data-testid="resources-panel" data-state="charts" data-live={running} data-samples={samples.length} className="grid gap-4">
      {!running && (
        <p className="text-[13px] text-zinc-600 dark:text-zinc-400">
          Stopped: the samples of its last run, until {formatTime(to)}. New ones come when it starts again.
        </p>
      )}
      <div className="grid gap-6 md:grid-cols-2 xl:grid-cols-3">
        <LineChart
          {...common}
          title="Memory"
          data-testid="resource-chart"
          data-metric="memory"
          series={[
            { label: "PSS", values: columns.pss, tone: "emerald" },
            { label: "RSS", values: columns.rss, tone: "sky", secondary: true },
          ]}
          format={formatBytes}
          floor={FLOORS.memory}
          axisUnit={1024 * 1024}
        />
        <LineChart
          {...common}
          title="CPU (100% = one core)"
          data-testid="resource-chart"
          data-metric="cpu"
          series={[{ label: "CPU", values: columns.cpu, tone: "amber" }]}
          format={formatPercent}
          floor={FLOORS.cpu}
        />
        <LineChart
          {...common}
          title="Events"
          data-testid="resource-chart"
          data-metric="events"
          series={[{ label: "Events", values: columns.events, tone: "violet" }]}
          format={formatPerMinute}
          floor={FLOORS.events}
        />
      </div>
    </div>
  );
}
