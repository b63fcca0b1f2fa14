import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TEventEnvelope } from "@/lib/event-envelope";
import type { TDeliveryUpdate } from "@/lib/webhook-delivery";
import type { EngineHost, HostEvent } from "@/server/engines/engine-host";
import type { ResourceSampler } from "@/server/engines/resource-sampler";
import type { Env } from "@/server/env";
import type { WebhookDispatcher } from "@/server/webhooks/dispatcher";

/**
 * `/metrics` in Prometheus's text format (docs/observability.md): WAHA's metrics under WAHA's names and
 * settings (WAHA_PROMETHEUS_*), and what Switchboard adds: each session's browser memory and CPU (from the
 * background sampler, never read at scrape time), restarts by reason, the webhook outbox and circuits per
 * target, and this worker's lease in cluster mode. Every series carries `worker` (empty outside cluster mode).
 * Webhook targets are labelled by host and a hash of the URL, never the URL: URLs often carry tokens.
 */

export interface MetricsSources {
  host: Pick<EngineHost, "runningNames" | "snapshot" | "subscribe">;
  sampler: Pick<ResourceSampler, "current" | "lastRound">;
  dispatcher: Pick<WebhookDispatcher, "targets" | "onDeliveryUpdate">;
  publisher: { subscribe(listener: (envelope: TEventEnvelope) => void): () => void };
  /** Stored sessions, every one (STOPPED ones are counted as the stored ones that do not run here). */
  countStoredSessions: () => Promise<number>;
  /** Cluster mode: this worker's lease and sessions. */
  cluster: { leaseView(): { state: string; leaseLeftMs: number; sessions: number; capacity: number | null } } | null;
  workerId: string | null;
  version: string;
}

export interface Metrics {
  readonly path: string;
  readonly contentType: string;
  /** Answers `/metrics` (and true); false for any other request. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Counts an API request and its duration once its answer is sent. */
  track(req: IncomingMessage, res: ServerResponse): void;
  render(): Promise<string>;
  close(): void;
}

const ENGINE = "WEBJS";

export function createMetrics(settings: Env["prometheus"], sources: MetricsSources): Metrics {
  const registry = new Registry();
  // WAHA keeps the worker label on every series, empty outside its cluster (an empty string, not "null").
  registry.setDefaultLabels({ worker: sources.workerId ?? "" });
  const prefix = settings.prefix;
  collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];

  new Gauge({ name: `${prefix}up`, help: "1 if the WAHA process is serving Prometheus metrics", registers }).set(1);
  new Gauge({
    name: `${prefix}info`,
    help: "WAHA build information",
    labelNames: ["version", "tier", "engine", "platform"],
    registers,
  }).set({ version: sources.version, tier: "SWITCHBOARD", engine: ENGINE, platform: `${process.platform}/${process.arch}` }, 1);
  const httpRequests = new Counter({
    name: `${prefix}http_requests_total`,
    help: "API HTTP requests handled by WAHA",
    labelNames: ["method", "status"],
    registers,
  });
  const httpDuration = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: "API HTTP request duration in seconds",
    labelNames: ["method", "status"],
    buckets: settings.httpDurationBuckets,
    registers,
  });

  const { host, sampler } = sources;
  new Gauge({
    name: `${prefix}sessions`,
    help: "WhatsApp sessions by status and engine",
    labelNames: ["status", "engine"],
    registers,
    async collect() {
      this.reset();
      const running = host.runningNames();
      for (const name of running) this.inc({ status: host.snapshot(name).status, engine: ENGINE });
      // In cluster mode every worker stores the same sessions: only the ones it runs are its own.
      if (!sources.cluster)
        this.set({ status: "STOPPED", engine: ENGINE }, Math.max(0, (await sources.countStoredSessions()) - running.length));
    },
  });
  new Gauge({
    name: `${prefix}session_status`,
    help: "Current status per session (1 = session is in this status)",
    labelNames: ["session", "status", "engine"],
    registers,
    collect() {
      this.reset();
      for (const name of host.runningNames()) this.set({ session: name, status: host.snapshot(name).status, engine: ENGINE }, 1);
    },
  });
  const sessionStatusChange = new Gauge({
    name: `${prefix}session_status_change_timestamp_seconds`,
    help: "Unix timestamp of the last session status change",
    labelNames: ["session"],
    registers,
  });

  // Browser figures: the sampler's last reading, only for sessions whose browser runs now.
  const perBrowser = (name: string, help: string, read: (sample: NonNullable<ReturnType<typeof sampler.current>>) => number | null) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames: ["session"],
      registers,
      collect() {
        this.reset();
        for (const session of host.runningNames()) {
          const sample = sampler.current(session);
          const value = sample && read(sample);
          if (value !== null && value !== undefined) this.set({ session }, value);
        }
      },
    });
  perBrowser("session_browser_memory_rss_bytes", "Resident memory of the session's browser, summed over its processes", (s) => s.rssBytes);
  perBrowser(
    "session_browser_memory_pss_bytes",
    "Proportional memory of the session's browser (shared pages split between their users), summed over its processes",
    (s) => s.pssBytes,
  );
  perBrowser("session_browser_cpu_ratio", "CPU of the session's browser over the last sampling interval (1 = one core)", (s) =>
    s.cpuPercent === null ? null : s.cpuPercent / 100,
  );
  perBrowser("session_browser_processes", "Processes of the session's browser", (s) => s.processes);
  new Gauge({
    name: `${prefix}resource_sampler_duration_seconds`,
    help: "How long the last round of sampling every browser's memory and CPU took",
    registers,
    collect() {
      const round = sampler.lastRound;
      if (round) this.set(round.durationMs / 1000);
    },
  });

  const restarts = new Counter({
    name: `${prefix}session_restarts_total`,
    help: "Session clients restarted, asked for or automatic after a fault, by reason",
    labelNames: ["session", "reason"],
    registers,
  });
  const unsubscribeHost = host.subscribe((event: HostEvent) => {
    if (event.type === "restart") restarts.inc({ session: event.session, reason: event.reason });
    if (event.type === "status") sessionStatusChange.set({ session: event.session }, event.change.timestamp / 1000);
  });

  const tracked = new Set(settings.trackEvents);
  const events = new Counter({
    name: `${prefix}events_total`,
    help: "WAHA events observed by WAHA (WAHA_PROMETHEUS_TRACK_EVENTS)",
    labelNames: ["session", "event"],
    registers,
  });
  const messages = new Counter({
    name: `${prefix}messages_total`,
    help: "WhatsApp messages observed by WAHA",
    labelNames: ["session", "fromMe"],
    registers,
  });
  const unsubscribeEvents = sources.publisher.subscribe((envelope) => {
    if (tracked.size === 0 || tracked.has("*") || tracked.has(envelope.event))
      events.inc({ session: envelope.session, event: envelope.event });
    const fromMe = (envelope.payload as { fromMe?: unknown } | null)?.fromMe;
    if (envelope.event === "message.any" && typeof fromMe === "boolean")
      messages.inc({ session: envelope.session, fromMe: String(fromMe) });
  });

  const deliveries = new Counter({
    name: `${prefix}webhook_deliveries_total`,
    help: "Webhook delivery attempts by target and outcome (delivered, retry, dead)",
    labelNames: ["target", "target_id", "outcome"],
    registers,
  });
  const unsubscribeDeliveries = sources.dispatcher.onDeliveryUpdate(({ delivery, attempt }: TDeliveryUpdate) => {
    if (!attempt) return;
    const outcome = delivery.state === "pending" ? "retry" : delivery.state;
    deliveries.inc({ ...targetLabels(delivery.url), outcome });
  });
  // The outbox and the circuits are read once per scrape, by whichever of these gauges collects first.
  let targets: ReturnType<MetricsSources["dispatcher"]["targets"]> | null = null;
  const readTargets = () => (targets ??= sources.dispatcher.targets().finally(() => setImmediate(() => (targets = null))));
  new Gauge({
    name: `${prefix}webhook_outbox_depth`,
    help: "Webhook deliveries of this worker waiting (pending) or being sent (in_flight), by target",
    labelNames: ["target", "target_id", "state"],
    registers,
    async collect() {
      this.reset();
      for (const row of (await readTargets()).outbox) this.inc({ ...targetLabels(row.url), state: row.state }, row.count);
    },
  });
  new Gauge({
    name: `${prefix}webhook_circuit_open`,
    help: "1 while a webhook target counts as down (its circuit is open), else 0",
    labelNames: ["target", "target_id"],
    registers,
    async collect() {
      this.reset();
      for (const circuit of (await readTargets()).circuits) this.set(targetLabels(circuit.url), circuit.open ? 1 : 0);
    },
  });
  new Gauge({
    name: `${prefix}webhook_circuit_failures`,
    help: "Attempts in a row to a webhook target that ended in a retry",
    labelNames: ["target", "target_id"],
    registers,
    async collect() {
      this.reset();
      for (const circuit of (await readTargets()).circuits) this.set(targetLabels(circuit.url), circuit.failures);
    },
  });

  const cluster = sources.cluster;
  if (cluster) {
    new Gauge({
      name: `${prefix}cluster_lease_remaining_seconds`,
      help: "How long this worker's lease still runs without a renewal",
      registers,
      collect() {
        this.set(cluster.leaseView().leaseLeftMs / 1000);
      },
    });
    new Gauge({
      name: `${prefix}cluster_worker_state`,
      help: "This worker's state (1 = in this state): starting, ready, draining, fenced",
      labelNames: ["state"],
      registers,
      collect() {
        this.reset();
        this.set({ state: cluster.leaseView().state }, 1);
      },
    });
    new Gauge({
      name: `${prefix}cluster_sessions`,
      help: "Sessions this worker owns",
      registers,
      collect() {
        this.set(cluster.leaseView().sessions);
      },
    });
    new Gauge({
      name: `${prefix}cluster_capacity`,
      help: "Sessions this worker takes at most (absent when unlimited)",
      registers,
      collect() {
        const capacity = cluster.leaseView().capacity;
        if (capacity !== null) this.set(capacity);
      },
    });
  }

  const expectedAuth = settings.credentials
    ? Buffer.from(`Basic ${Buffer.from(`${settings.credentials.username}:${settings.credentials.password}`).toString("base64")}`)
    : null;
  const authorized = (header: string | undefined) => {
    if (!expectedAuth) return true;
    const given = Buffer.from(header ?? "");
    return given.length === expectedAuth.length && timingSafeEqual(given, expectedAuth);
  };

  return {
    path: settings.path,
    contentType: registry.contentType,
    async serve(req, res) {
      const pathname = (req.url ?? "").split("?")[0];
      if (pathname !== settings.path) return false;
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain" }).end("Method Not Allowed\n");
        return true;
      }
      if (!authorized(req.headers.authorization)) {
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="metrics"', "Content-Type": "text/plain" }).end("Unauthorized\n");
        return true;
      }
      const body = await registry.metrics();
      res.writeHead(200, { "Content-Type": registry.contentType, "Cache-Control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
      return true;
    },
    track(req, res) {
      if (!req.url?.startsWith("/api/")) return;
      const started = performance.now();
      res.on("finish", () => {
        const labels = { method: (req.method ?? "GET").toUpperCase(), status: String(res.statusCode) };
        httpRequests.inc(labels);
        httpDuration.observe(labels, (performance.now() - started) / 1000);
      });
    },
    render: () => registry.metrics(),
    close() {
      unsubscribeHost();
      unsubscribeEvents();
      unsubscribeDeliveries();
      registry.clear();
    },
  };
}

/** A webhook target as a label: its host (never the path, query or credentials) and a short hash of its whole URL. */
export function targetLabels(url: string): { target: string; target_id: string } {
  let host = "invalid";
  try {
    host = new URL(url).host;
  } catch {
    // A stored URL always parses; the label must not fail the scrape if one does not.
  }
  return { target: host, target_id: createHash("sha256").update(url).digest("hex").slice(0, 12) };
}
