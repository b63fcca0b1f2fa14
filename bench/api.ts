/**
 * API benchmark: the production server with 1,000 stored sessions under autocannon.
 * Prints requests/s and p50/p99 latency per route and saves JSON in bench/results/.
 * Run after `npm run build`: `npm run bench:api` (DURATION=10 CONNECTIONS=10 to tune).
 * Targets (2 cores): one session p99 <= 20 ms at >= 1,500 req/s; a filtered page of 100 of 1,000 p99 <= 40 ms.
 */
import fs from "node:fs";
import autocannon from "autocannon";
import { startServer } from "../e2e/support/server";

const SESSIONS = 1000;
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);

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
  const server = await startServer({ env: { WAHA_LOG_LEVEL: "warn" } });
  const headers = { "X-Api-Key": server.apiKey, "Content-Type": "application/json" };
  try {
    await seed(server.url, headers);
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
    print(rows);
    fs.mkdirSync("bench/results", { recursive: true });
    const file = `bench/results/api-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
    fs.writeFileSync(file, JSON.stringify({ sessions: SESSIONS, durationSeconds: DURATION, connections: CONNECTIONS, rows }, null, 2));
    console.log(`\nsaved ${file}`);
  } finally {
    await server.stop();
  }
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
