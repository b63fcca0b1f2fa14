import { spawnSync } from "node:child_process";
import { eventually } from "../support/api";
import { expect, test } from "../support/fixtures";
import { processesMatching } from "../support/processes";

/**
 * /metrics of the real server while a real Chromium session (on the WhatsApp Web double) starts, fails and
 * stops (docs/observability.md): its memory series appear while its browser runs and go after the stop, the
 * restart after the failure is counted by reason, Prometheus's own tool accepts the scrape, and no
 * configured secret is ever in it.
 */

const SCRAPE = { username: "prom", password: "scrape-pass-4242" };
const SECRETS = {
  dashboardPassword: "dash-pass-7171",
  hookHmacKey: "global-hmac-5151",
  hookToken: "hook-token-3131",
  proxyPassword: "env-proxy-pass-6161",
  sessionHmacKey: "session-hmac-2121",
  sessionProxyPassword: "session-proxy-pass-9191",
};

test.describe.configure({ mode: "serial" });
test.use({
  serverOptions: {
    withDouble: true,
    env: {
      WAHA_PROMETHEUS_ENABLED: "true",
      WAHA_PROMETHEUS_USERNAME: SCRAPE.username,
      WAHA_PROMETHEUS_PASSWORD: SCRAPE.password,
      SWITCHBOARD_RESOURCES_INTERVAL_SECONDS: "1",
      SWITCHBOARD_RESTART_DELAY_SECONDS: "1",
      WAHA_DASHBOARD_PASSWORD: SECRETS.dashboardPassword,
      // The global webhook: nothing listens on port 9, so its deliveries are retried (and counted) meanwhile.
      WHATSAPP_HOOK_URL: `http://hook-user:${SECRETS.hookToken}@127.0.0.1:9/hooks/${SECRETS.hookToken}?token=${SECRETS.hookToken}`,
      WHATSAPP_HOOK_EVENTS: "session.status",
      WHATSAPP_HOOK_HMAC_KEY: SECRETS.hookHmacKey,
      // Configured, and no proxy server: sessions here go straight to the double.
      WHATSAPP_PROXY_SERVER_USERNAME: "operator",
      WHATSAPP_PROXY_SERVER_PASSWORD: SECRETS.proxyPassword,
    },
  },
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition's samples (comments left out); label values hold no quotes or commas here. */
function parseExposition(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((label) => [label[1], label[2]]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

const basic = `Basic ${Buffer.from(`${SCRAPE.username}:${SCRAPE.password}`).toString("base64")}`;

async function scrape(url: string): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(`${url}/metrics`, { headers: { Authorization: basic } });
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, samples: parseExposition(text) };
}

const valueOf = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;

const SESSION = "metered";
const memory = (samples: Sample[]) => ({
  rss: valueOf(samples, "waha_session_browser_memory_rss_bytes", { session: SESSION }),
  pss: valueOf(samples, "waha_session_browser_memory_pss_bytes", { session: SESSION }),
  processes: valueOf(samples, "waha_session_browser_processes", { session: SESSION }),
});
const restarts = (samples: Sample[], reason: string) => valueOf(samples, "waha_session_restarts_total", { session: SESSION, reason }) ?? 0;

test("a session's memory series appear while its browser runs; the exposition passes promtool check metrics", async ({
  server,
  api,
  double,
}) => {
  expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
  expect((await api.post("/api/sessions", { name: SESSION })).status).toBe(201);
  const qr = await eventually(
    async () => (await api.get<{ value?: string }>(`/api/${SESSION}/auth/qr?format=raw`)).body.value,
    (value) => Boolean(value),
    30_000,
  );
  await double.scan(qr!, { user: "15550004444", pushname: "Metered" });

  const { text, samples } = await eventually(
    () => scrape(server.url),
    ({ samples }) =>
      valueOf(samples, "waha_session_status", { session: SESSION, status: "WORKING" }) === 1 &&
      (memory(samples).pss ?? 0) > 0 &&
      // CPU needs two readings of one browser.
      valueOf(samples, "waha_session_browser_cpu_ratio", { session: SESSION }) !== undefined,
    30_000,
  );
  const figures = memory(samples);
  // A Chromium is several processes of tens of MB; RSS counts shared pages in each, PSS splits them.
  expect(figures.processes).toBeGreaterThanOrEqual(2);
  expect(figures.pss).toBeGreaterThan(10 * 1024 * 1024);
  expect(figures.rss).toBeGreaterThanOrEqual(figures.pss!);
  expect(valueOf(samples, "waha_session_browser_cpu_ratio", { session: SESSION })).toBeGreaterThanOrEqual(0);
  expect(valueOf(samples, "waha_sessions", { status: "WORKING", engine: "WEBJS" })).toBe(1);
  // The API shows the same kind of figures.
  const session = (await api.get<{ resources: { memory: { pss: number }; processes: number } | null }>(`/api/sessions/${SESSION}`)).body;
  expect(session.resources?.memory.pss).toBeGreaterThan(10 * 1024 * 1024);

  const promtool = spawnSync("promtool", ["--version"]);
  if (promtool.error) {
    // Under CI the tool must be there (.ci/run installs Debian's prometheus package).
    if (process.env.CI === "true") throw new Error("promtool is not installed (Debian package prometheus)");
    test.skip(true, "promtool is not installed (Debian package prometheus)");
    return;
  }
  const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  // prom-client's default Node.js gauges keep their historical `_total` names (server/metrics/metrics.test.ts).
  const known = /^waha_nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;
  const findings = (check.stderr + check.stdout).split("\n").filter(Boolean);
  expect(findings.filter((line) => !known.test(line))).toEqual([]);
});

test("a killed Chromium counts one restart with reason engine; the new browser has its own figures", async ({ server }) => {
  const profile = `${server.dataDir}/sessions/${SESSION}/`;
  const before = await scrape(server.url);
  expect(restarts(before.samples, "engine")).toBe(0);
  const pids = processesMatching(profile);
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) process.kill(pid, "SIGKILL");

  const after = await eventually(
    () => scrape(server.url),
    ({ samples }) =>
      restarts(samples, "engine") === 1 &&
      // Running again (the login may not have reached the profile before the kill: then it asks for a QR).
      ["WORKING", "SCAN_QR_CODE"].some((status) => valueOf(samples, "waha_session_status", { session: SESSION, status }) === 1) &&
      (memory(samples).pss ?? 0) > 0,
    45_000,
  );
  expect(restarts(after.samples, "requested")).toBe(0);
  // The figures are of a browser that runs now: none of the killed processes.
  expect(processesMatching(profile).some((pid) => pids.includes(pid))).toBe(false);
});

/** What a stopped session no longer has (counters, such as its restarts and events, stay). */
const GONE_AFTER_STOP = /^waha_(session_browser_\w+|session_status)$/;

test("after a stop the session's memory and status series are gone; the restart count stays", async ({ server, api }) => {
  expect((await api.post(`/api/sessions/${SESSION}/stop`)).status).toBe(201);
  const { samples } = await eventually(
    () => scrape(server.url),
    ({ samples }) => samples.every((sample) => sample.labels.session !== SESSION || !GONE_AFTER_STOP.test(sample.name)),
    15_000,
  );
  expect(memory(samples)).toEqual({ rss: undefined, pss: undefined, processes: undefined });
  expect(valueOf(samples, "waha_session_browser_cpu_ratio", { session: SESSION })).toBeUndefined();
  expect(restarts(samples, "engine")).toBe(1);
  expect(processesMatching(`${server.dataDir}/sessions/${SESSION}/`)).toEqual([]);
});

test("no configured secret is in /metrics: API key, dashboard and scrape passwords, HMAC keys, proxy passwords, hook token", async ({
  server,
  api,
}) => {
  // A stored session with its own secrets; the global webhook has had deliveries (labelled by host).
  const config = {
    webhooks: [{ url: `http://127.0.0.1:9/session-hook`, events: ["session.status"], hmac: { key: SECRETS.sessionHmacKey } }],
    proxy: { server: "proxy.local:3128", username: "operator", password: SECRETS.sessionProxyPassword },
  };
  expect((await api.post("/api/sessions", { name: "secretive", start: false, config })).status).toBe(201);
  const { text, samples } = await eventually(
    () => scrape(server.url),
    ({ samples }) => samples.some((sample) => sample.name === "waha_webhook_deliveries_total" && sample.labels.target === "127.0.0.1:9"),
  );
  expect(samples.length).toBeGreaterThan(50);
  for (const secret of [server.apiKey, SCRAPE.password, ...Object.values(SECRETS), "hook-user"]) expect(text).not.toContain(secret);
});
