import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TEventEnvelope } from "@/lib/event-envelope";
import type { TDeliveryUpdate, TWebhookDelivery } from "@/lib/webhook-delivery";
import { FakeClock } from "@/test/support/fake-clock";
import { testHostOptions } from "@/test/support/test-host";
import { EngineHost } from "@/server/engines/engine-host";
import { FakeEngineFactory } from "@/server/engines/fake/fake-engine";
import type { ResourceSample } from "@/server/engines/resource-sampler";
import { parseEnv } from "@/server/env";
import { createMetrics, targetLabels, type Metrics, type MetricsSources } from "./metrics";

const TOKEN = "s3cr3t-t0ken-in-the-url";
const HOOK = `https://user:hunter2@hooks.example.com:8443/in/${TOKEN}?key=${TOKEN}`;
const SCRAPE_PASSWORD = "scrape-pa55word";

const sample: ResourceSample = {
  timestamp: 1,
  rssBytes: 300 << 20,
  pssBytes: 200 << 20,
  cpuPercent: 12.5,
  processes: 7,
  eventsPerMinute: 3,
};

describe("/metrics", () => {
  let clock: FakeClock;
  let factory: FakeEngineFactory;
  let host: EngineHost;
  let metrics: Metrics;
  let deliveryListener: (update: TDeliveryUpdate) => void;
  let envelopeListener: (envelope: TEventEnvelope) => void;

  beforeEach(async () => {
    clock = new FakeClock();
    factory = new FakeEngineFactory();
    host = new EngineHost(testHostOptions({ factory, clock }));
    const env = parseEnv({
      NODE_ENV: "test",
      WAHA_PROMETHEUS_ENABLED: "true",
      WAHA_PROMETHEUS_USERNAME: "prom",
      WAHA_PROMETHEUS_PASSWORD: SCRAPE_PASSWORD,
      WAHA_PROMETHEUS_TRACK_EVENTS: "session.status",
    });
    const sources: MetricsSources = {
      host,
      sampler: {
        current: (name) => (name === "big" ? sample : null),
        lastRound: { at: 1, browsers: 1, durationMs: 4, samples: new Map() },
      },
      dispatcher: {
        targets: async () => ({
          outbox: [{ url: HOOK, state: "pending", count: 5 }],
          circuits: [{ url: HOOK, failures: 3, open: true, active: 1, queued: 2 }],
        }),
        onDeliveryUpdate: (listener) => {
          deliveryListener = listener;
          return () => {};
        },
      },
      publisher: {
        subscribe: (listener) => {
          envelopeListener = listener;
          return () => {};
        },
      },
      countStoredSessions: async () => 1000,
      cluster: null,
      workerId: null,
      version: "9.9.9",
    };
    metrics = createMetrics(env.prometheus, sources);
    await host.start("big", {});
    await host.start("small", {});
  });

  afterEach(async () => {
    metrics.close();
    await host.stopAll();
  });

  it("has WAHA's metrics and each session's browser figures, restarts, events and webhook targets", async () => {
    await host.restart("small", {});
    envelopeListener({ event: "session.status", session: "big" } as TEventEnvelope);
    envelopeListener({ event: "engine.event", session: "big" } as TEventEnvelope); // not tracked
    deliveryListener({ delivery: { url: HOOK, state: "pending" } as TWebhookDelivery, attempt: {} as TDeliveryUpdate["attempt"] });
    deliveryListener({ delivery: { url: HOOK, state: "delivered" } as TWebhookDelivery, attempt: {} as TDeliveryUpdate["attempt"] });
    const text = await metrics.render();
    const { target, target_id } = targetLabels(HOOK);
    expect(target).toBe("hooks.example.com:8443");
    for (const line of [
      'waha_up{worker=""} 1',
      'waha_sessions{status="STARTING",engine="WEBJS",worker=""} 2',
      'waha_sessions{status="STOPPED",engine="WEBJS",worker=""} 998',
      'waha_session_status{session="big",status="STARTING",engine="WEBJS",worker=""} 1',
      `waha_session_browser_memory_pss_bytes{session="big",worker=""} ${200 << 20}`,
      `waha_session_browser_memory_rss_bytes{session="big",worker=""} ${300 << 20}`,
      'waha_session_browser_cpu_ratio{session="big",worker=""} 0.125',
      'waha_session_restarts_total{session="small",reason="requested",worker=""} 1',
      'waha_events_total{session="big",event="session.status",worker=""} 1',
      `waha_webhook_deliveries_total{target="${target}",target_id="${target_id}",outcome="retry",worker=""} 1`,
      `waha_webhook_deliveries_total{target="${target}",target_id="${target_id}",outcome="delivered",worker=""} 1`,
      `waha_webhook_outbox_depth{target="${target}",target_id="${target_id}",state="pending",worker=""} 5`,
      `waha_webhook_circuit_open{target="${target}",target_id="${target_id}",worker=""} 1`,
      'waha_resource_sampler_duration_seconds{worker=""} 0.004',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).not.toContain('session="small",worker=""} ' + (200 << 20));
    expect(text).not.toMatch(/waha_events_total\{[^}]*engine\.event/);
  });

  it("never shows a secret: no webhook URL path, query or credentials, no scrape password", async () => {
    deliveryListener({ delivery: { url: HOOK, state: "dead" } as TWebhookDelivery, attempt: {} as TDeliveryUpdate["attempt"] });
    const text = await metrics.render();
    for (const secret of [TOKEN, "hunter2", "user:", "/in/", SCRAPE_PASSWORD, "prom:"]) expect(text).not.toContain(secret);
  });

  it("passes promtool check metrics", async (context) => {
    const promtool = spawnSync("promtool", ["--version"]);
    if (promtool.error) {
      // Under CI the tool must be there (.ci/run installs Debian's prometheus package).
      if (process.env.CI === "true") throw new Error("promtool is not installed (Debian package prometheus)");
      console.warn("skipped: promtool is not installed (Debian package prometheus)");
      context.skip();
    }
    deliveryListener({ delivery: { url: HOOK, state: "delivered" } as TWebhookDelivery, attempt: {} as TDeliveryUpdate["attempt"] });
    const check = spawnSync("promtool", ["check", "metrics"], { input: await metrics.render(), encoding: "utf8" });
    // prom-client's default Node.js gauges (the ones WAHA exposes too) keep their historical `_total` names:
    // promtool's lint names exactly these; every other finding, and any parse error, fails.
    const findings = (check.stderr + check.stdout).split("\n").filter(Boolean);
    const known = /^waha_nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;
    expect(findings.filter((line) => !known.test(line))).toEqual([]);
    expect(findings).toHaveLength(3);
  });

  describe("over HTTP", () => {
    let server: Server;
    let base: string;
    beforeEach(async () => {
      server = createServer((req, res) => {
        void metrics.serve(req, res).then((served) => {
          if (!served) res.writeHead(404).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("asks for the basic auth when WAHA_PROMETHEUS_USERNAME and _PASSWORD are set", async () => {
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const wrong = Buffer.from("prom:nope").toString("base64");
      expect((await fetch(`${base}/metrics`, { headers: { Authorization: `Basic ${wrong}` } })).status).toBe(401);
      const right = Buffer.from(`prom:${SCRAPE_PASSWORD}`).toString("base64");
      const answer = await fetch(`${base}/metrics`, { headers: { Authorization: `Basic ${right}` } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-type")).toContain("text/plain");
      expect(await answer.text()).toContain("waha_up");
      expect((await fetch(`${base}/other`)).status).toBe(404);
    });
  });
});
