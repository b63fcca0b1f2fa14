/**
 * API benchmark: the production server with 1,000 stored sessions under autocannon.
 * Prints requests/s and p50/p99 latency per route and saves JSON in bench/results/.
 * Run after `npm run build`: `npm run bench:api` (DURATION=10 CONNECTIONS=10 ROUNDS=20 SLICE=2 to tune).
 * Targets (2 cores): one session p99 <= 20 ms at >= 1,500 req/s; a filtered page of 100 of 1,000 p99 <= 40 ms.
 * Metrics (docs/observability.md): two servers, alike but for WAHA_PROMETHEUS_ENABLED, each with 1,000 stored
 * and 10 running sessions (the TEST ONLY fake engine, whose "browser" is the server process, so the sampler
 * reads real /proc figures). `/metrics` scraped one request at a time, as Prometheus does: p99 <= 50 ms.
 * GET one session with metrics on and off, alternated in ROUNDS short rounds (SLICE seconds each, which one
 * goes first alternating too), so that the machine's load falls on both alike: the medians of the rounds'
 * req/s at most 5% apart. Also printed: the median of each pair's on/off ratio, and the same measure with
 * metrics off on both servers (A/A), which is how far apart two identical servers come out on this machine.
 * API keys (docs/api.md, "API keys"): GET one session with a session key (read) and with the root key,
 * alternated the same way on one server: medians at most 5% apart. `ONLY=keys` runs this measure alone.
 */
import fs from "node:fs";
import autocannon from "autocannon";
import { startServer } from "../e2e/support/server";

const SESSIONS = 1000;
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 20);
const SLICE = Number(process.env.SLICE ?? 2);
const RUNNING = 10;
/** Same on both servers: no browsers (fake engine), a few log lines. */
const BENCH_ENV = { WAHA_LOG_LEVEL: "warn", SWITCHBOARD_TEST_ENGINE: "fake" };

interface Row {
  route: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  target: string;
}

async function main() {
  if (process.env.ONLY === "keys") return keysOnly();
  const server = await startServer({ env: BENCH_ENV });
  const metered = await startServer({ env: { ...BENCH_ENV, WAHA_PROMETHEUS_ENABLED: "true" } });
  // Like `server`, for the A/A measure of the on/off comparison.
  const twin = await startServer({ env: BENCH_ENV });
  const headers = { "X-Api-Key": server.apiKey, "Content-Type": "application/json" };
  try {
    for (const one of [server, metered, twin]) await seed(one.url, headers);
    const rows: Row[] = [];
    rows.push(
      await measure(server.url, headers, "GET /api/sessions/{name}", { path: "/api/sessions/bench-0500" }, "p99 <= 20 ms at >= 1500 req/s"),
    );
    rows.push(
      await measure(server.url, headers, "GET /api/sessions?all=true&limit=100", { path: "/api/sessions?all=true&limit=100" }, "-"),
    );
    rows.push(
      await measure(
        server.url,
        headers,
        "GET /api/sessions?all=true&metadata.tenant=t3&limit=100",
        { path: "/api/sessions?all=true&metadata.tenant=t3&limit=100" },
        "p99 <= 40 ms",
      ),
    );
    rows.push(await measurePostDelete(server.url, headers));
    for (const one of [server, metered, twin]) await startRunning(one.url, headers);
    rows.push(await measureScrape(metered.url, headers));
    const onOff = await alternate({ a: { url: metered.url, headers }, b: { url: server.url, headers } });
    const aa = await alternate({ a: { url: twin.url, headers }, b: { url: server.url, headers } });
    const keys = await alternate(await keyTargets(server.url, headers));
    print(rows);
    printOnOff(onOff, "metrics on (a) vs off (b)");
    printOnOff(aa, "A/A: metrics off on both");
    printOnOff(keys, "a session key (a) vs the root key (b)");
    fs.mkdirSync("bench/results", { recursive: true });
    const file = `bench/results/api-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
    fs.writeFileSync(
      file,
      JSON.stringify(
        { sessions: SESSIONS, running: RUNNING, durationSeconds: DURATION, connections: CONNECTIONS, rows, onOff, aa, keys },
        null,
        2,
      ),
    );
    console.log(`\nsaved ${file}`);
  } finally {
    for (const one of [server, metered, twin]) await one.stop();
  }
}

/** The first RUNNING stored sessions started (fake engine), and sampled once by the background sampler. */
async function startRunning(url: string, headers: Record<string, string>) {
  const names = Array.from({ length: RUNNING }, (_, n) => `bench-${String(n).padStart(4, "0")}`);
  for (const name of names) {
    const response = await fetch(`${url}/api/sessions/${name}/start`, { method: "POST", headers });
    if (response.status >= 300) throw new Error(`starting ${name} failed: ${response.status}`);
  }
  // The sampler's first round comes one interval (15 s) after boot: wait until every session has figures.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const list = (await (await fetch(`${url}/api/sessions`, { headers })).json()) as { resources: unknown }[];
    if (list.length === RUNNING && list.every((session) => session.resources !== null)) return;
    if (Date.now() > deadline) throw new Error("the running sessions were never sampled");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** /metrics one scrape at a time (Prometheus scrapes a target sequentially). */
async function measureScrape(url: string, headers: Record<string, string>): Promise<Row> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const series = text.split("\n").filter((line) => line && !line.startsWith("#")).length;
  if (!text.includes('waha_session_browser_memory_pss_bytes{session="bench-0009"')) throw new Error("no memory series in /metrics");
  const result = await autocannon({ url: `${url}/metrics`, headers, connections: 1, duration: DURATION });
  return toRow(`GET /metrics (${RUNNING} running, ${series} series, ${Math.round(text.length / 1024)} KiB)`, result, "p99 <= 50 ms");
}

interface OnOffRound {
  round: number;
  server: "a" | "b";
  requestsPerSecond: number;
  p50: number;
  p99: number;
}

type Target = { url: string; headers: Record<string, string> };

/** GET one session on target a and on target b in turns, SLICE seconds each (which one goes first alternates too). */
async function alternate(targets: { a: Target; b: Target }): Promise<OnOffRound[]> {
  const rounds: OnOffRound[] = [];
  const path = "/api/sessions/bench-0500";
  // Unmeasured first: the route's code is compiled (JIT) and its reads cached alike on both servers.
  for (const { url, headers } of [targets.a, targets.b]) {
    await autocannon({ url: `${url}${path}`, headers, connections: CONNECTIONS, duration: SLICE * 2 });
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order: ("a" | "b")[] = round % 2 === 0 ? ["a", "b"] : ["b", "a"];
    for (const server of order) {
      const { url, headers } = targets[server];
      const result = await autocannon({ url: `${url}${path}`, headers, connections: CONNECTIONS, duration: SLICE });
      if (result.non2xx || result.errors) throw new Error(`GET one session (server ${server}) had errors`);
      rounds.push({ round, server, requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 });
    }
  }
  return rounds;
}

/** The same server asked with a session key of bench-0500 (read) and with the root key. */
async function keyTargets(url: string, headers: Record<string, string>): Promise<{ a: Target; b: Target }> {
  const response = await fetch(`${url}/api/keys`, {
    method: "POST",
    headers,
    body: JSON.stringify({ isAdmin: false, session: "bench-0500", isActive: true, actions: { read: true } }),
  });
  if (response.status !== 201) throw new Error(`creating a session key failed: ${response.status}`);
  const { key } = (await response.json()) as { key: string };
  return { a: { url, headers: { ...headers, "X-Api-Key": key } }, b: { url, headers } };
}

/** ONLY=keys: the session key against the root key on one server with the stored sessions. */
async function keysOnly() {
  const server = await startServer({ env: BENCH_ENV });
  const headers = { "X-Api-Key": server.apiKey, "Content-Type": "application/json" };
  try {
    await seed(server.url, headers);
    const keys = await alternate(await keyTargets(server.url, headers));
    printOnOff(keys, "a session key (a) vs the root key (b)");
    const aa = await alternate({ a: { url: server.url, headers }, b: { url: server.url, headers } });
    printOnOff(aa, "A/A: the root key on both");
  } finally {
    await server.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function printOnOff(rounds: OnOffRound[], title: string) {
  console.log(`\nGET /api/sessions/{name}, ${title}: ${ROUNDS} alternated rounds of ${SLICE} s each\n`);
  console.log("| server | median req/s | min-max req/s | median p50 ms | median p99 ms |");
  console.log("|---|---:|---|---:|---:|");
  const medians: Record<string, number> = {};
  for (const server of ["a", "b"] as const) {
    const mine = rounds.filter((round) => round.server === server);
    const rates = mine.map((round) => round.requestsPerSecond);
    medians[server] = median(rates);
    const range = `${Math.round(Math.min(...rates))}-${Math.round(Math.max(...rates))}`;
    console.log(
      `| ${server} | ${Math.round(medians[server])} | ${range} | ${median(mine.map((r) => r.p50))} | ${median(mine.map((r) => r.p99))} |`,
    );
  }
  const ratios = Array.from({ length: ROUNDS }, (_, round) => {
    const rate = (server: string) => rounds.find((r) => r.round === round && r.server === server)!.requestsPerSecond;
    return rate("a") / rate("b");
  });
  const apart = (Math.abs(medians.a - medians.b) / medians.b) * 100;
  console.log(`\nmedians ${apart.toFixed(1)}% apart (target <= 5%); median of the rounds' a/b ratios ${median(ratios).toFixed(3)}`);
}

async function seed(url: string, headers: Record<string, string>) {
  const started = Date.now();
  for (let i = 0; i < SESSIONS; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) => {
        const n = i + j;
        const body = {
          name: `bench-${String(n).padStart(4, "0")}`,
          start: false,
          config: { metadata: { tenant: `t${n % 10}`, "user.id": String(n), email: `user${n}@example.com` } },
        };
        return fetch(`${url}/api/sessions`, { method: "POST", headers, body: JSON.stringify(body) }).then((r) => {
          if (r.status !== 201) throw new Error(`seeding failed: ${r.status}`);
        });
      }),
    );
  }
  console.log(`seeded ${SESSIONS} sessions in ${Date.now() - started} ms`);
}

async function measure(
  url: string,
  headers: Record<string, string>,
  route: string,
  request: { path: string },
  target: string,
): Promise<Row> {
  const result = await autocannon({ url: `${url}${request.path}`, headers, connections: CONNECTIONS, duration: DURATION });
  return toRow(route, result, target);
}

/** Create then delete, each pair under a fresh name. */
async function measurePostDelete(url: string, headers: Record<string, string>): Promise<Row> {
  let counter = 0;
  const result = await autocannon({
    url,
    headers,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        method: "POST",
        path: "/api/sessions",
        setupRequest: (req, context) => {
          const name = `pair-${process.pid}-${counter++}`;
          (context as { name?: string }).name = name;
          return { ...req, body: JSON.stringify({ name, start: false, config: { metadata: { kind: "pair" } } }) };
        },
      },
      {
        method: "DELETE",
        setupRequest: (req, context) => ({ ...req, path: `/api/sessions/${(context as { name?: string }).name}` }),
      },
    ],
  });
  return toRow("POST + DELETE /api/sessions (pairs)", result, "-");
}

function toRow(route: string, result: autocannon.Result, target: string): Row {
  return {
    route,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    target,
  };
}

function print(rows: Row[]) {
  console.log(`\n${SESSIONS} stored sessions, ${CONNECTIONS} connections, ${DURATION} s per route\n`);
  console.log("| route | req/s | p50 ms | p99 ms | errors | non-2xx | target |");
  console.log("|---|---:|---:|---:|---:|---:|---|");
  for (const r of rows) {
    console.log(`| ${r.route} | ${r.requestsPerSecond} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.target} |`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
