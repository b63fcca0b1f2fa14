import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { freePort } from "../support/server";
import { until } from "../support/until";
import { startDouble } from "../support/whatsapp-web-double/double";

/**
 * The container test's scenario (run by scripts/container-test.sh, which makes and builds the image):
 *   npx tsx e2e/container/session-in-container.ts <image>
 * Starts the image on host networking with a named volume for /data, logs a session in against the
 * WhatsApp Web double (running here, on loopback), restarts the container and expects the session
 * back WORKING without a QR, then stops it with SIGTERM and expects a graceful exit. Prints the image
 * size and the container's start-to-200 times. Exits non-zero, with the container's log, on any failure.
 */

const image = process.argv[2];
if (!image) throw new Error("usage: session-in-container.ts <image>");

const run = promisify(execFile);
const docker = async (...args: string[]) => (await run("docker", args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();

// Docker's default stop timeout (10 s) is shorter than one session's SWITCHBOARD_STOP_TIMEOUT_SECONDS (15 s).
const STOP_TIMEOUT_SECONDS = 30;
const PHONE = { user: "15550007777", pushname: "Container" };
const suffix = randomBytes(4).toString("hex");
const container = `switchboard-container-test-${suffix}`;
const volume = `switchboard-container-test-${suffix}`;
const apiKey = randomBytes(24).toString("hex");
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const double = await startDouble();

type Session = { status: string; statuses: { status: string; reason: string | null }[] };

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: { "X-Api-Key": apiKey, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** From `docker start` (or run) to the first 200 on /ping, in milliseconds. */
async function startToPing(start: () => Promise<unknown>): Promise<number> {
  const startedAt = performance.now();
  await start();
  await until("GET /ping to answer 200", 60_000, async () => ((await fetch(`${origin}/ping`)).status === 200 ? true : undefined));
  return Math.round(performance.now() - startedAt);
}

const waitForStatus = (status: string, timeoutMs = 60_000) =>
  until(`the session to be ${status}`, timeoutMs, async () => {
    const { body } = await api<Session>("GET", "/api/sessions/default");
    return body.status === status ? body : undefined;
  });

/** SIGTERM, then the exit: graceful when the server exits 0 on its own, well before Docker's SIGKILL. */
async function stopGracefully(): Promise<number> {
  const stoppingAt = performance.now();
  await docker("stop", "--time", String(STOP_TIMEOUT_SECONDS), container);
  const stopMs = Math.round(performance.now() - stoppingAt);
  const exitCode = await docker("inspect", "--format", "{{.State.ExitCode}}", container);
  if (exitCode !== "0") throw new Error(`the container exited with ${exitCode} on SIGTERM (0 expected: the graceful stop)`);
  if (stopMs >= STOP_TIMEOUT_SECONDS * 1000) throw new Error(`the stop took ${stopMs} ms: Docker had to kill it`);
  return stopMs;
}

/** Chromium processes in the container, as `docker top` lists them. */
async function chromiumCount(): Promise<number> {
  const top = await docker("top", container, "-o", "pid,args");
  return top.split("\n").filter((line) => line.includes("chromium")).length;
}

let failed = false;
try {
  await docker("volume", "create", volume);
  const firstStartMs = await startToPing(() =>
    docker(
      "run",
      "--detach",
      "--name",
      container,
      "--network",
      "host",
      "--volume",
      `${volume}:/data`,
      // The image's HEALTHCHECK command, run often enough to be seen here (its own interval is 30 s).
      "--health-interval",
      "1s",
      "--env",
      `PORT=${port}`,
      "--env",
      `WAHA_API_KEY=${apiKey}`,
      "--env",
      "WAHA_PRINT_QR=false",
      "--env",
      `SWITCHBOARD_BROWSER_ARGS=${double.browserArgs.join(" ")}`,
      image,
    ),
  );
  await until("the container to be healthy", 30_000, async () =>
    (await docker("inspect", "--format", "{{.State.Health.Status}}", container)) === "healthy" ? true : undefined,
  );
  const user = await docker("exec", container, "id", "-un");
  if (user !== "switchboard") throw new Error(`the server runs as ${user}, not switchboard`);
  // A page rendered by Next, not only the API: the production node_modules hold what Next needs at run time.
  const login = await fetch(`${origin}/login`);
  if (login.status !== 200) throw new Error(`GET /login answered ${login.status}`);

  const firstRef = double.waitFor("ref");
  const created = await api("POST", "/api/sessions", { name: "default" });
  if (created.status !== 201) throw new Error(`POST /api/sessions answered ${created.status}: ${JSON.stringify(created.body)}`);
  const { ref } = await firstRef;
  await double.scan(ref, PHONE);
  await waitForStatus("WORKING");
  const chromiums = await chromiumCount();
  if (chromiums === 0) throw new Error("the WORKING session shows no Chromium in the container");

  // A restart is a SIGTERM (the graceful stop) and a start on the same volume: the login is restored.
  const restored = double.waitFor("restored", (event) => event.user === PHONE.user, 60_000);
  let qrAfterRestart = false;
  const noteQr = () => (qrAfterRestart = true);
  double.events.on("ref", noteQr);
  const restartStopMs = await stopGracefully();
  const secondStartMs = await startToPing(() => docker("start", container));
  await restored;
  const back = await waitForStatus("WORKING");
  double.events.off("ref", noteQr);
  if (qrAfterRestart || back.statuses.some((s) => s.status === "SCAN_QR_CODE")) {
    throw new Error("the restarted container asked for a QR: the login was not restored");
  }
  if (back.statuses[0]?.reason !== "restored at boot") throw new Error(`unexpected latest status: ${JSON.stringify(back.statuses[0])}`);

  // The graceful stop closes every Chromium itself (exit 0 comes after the sessions have stopped).
  const finalStopMs = await stopGracefully();

  const sizeBytes = Number(await docker("image", "inspect", "--format", "{{.Size}}", image));
  console.log("\ncontainer test: passed");
  console.table({
    "image size (MB)": (sizeBytes / 1e6).toFixed(0),
    "first start -> /ping 200 (ms, empty volume, migrations)": firstStartMs,
    "restart: SIGTERM -> exited 0 (ms, 1 WORKING session)": restartStopMs,
    "second start -> /ping 200 (ms)": secondStartMs,
    "final stop: SIGTERM -> exited 0 (ms)": finalStopMs,
    "Chromium processes of one WORKING session": chromiums,
  });
} catch (error) {
  failed = true;
  console.error(`\ncontainer test: FAILED: ${error instanceof Error ? error.message : String(error)}`);
  const log = await docker("logs", "--tail", "80", container).catch(() => "(no container log)");
  console.error(`--- the container's log (last 80 lines) ---\n${log}`);
} finally {
  await docker("rm", "--force", "--volumes", container).catch(() => undefined);
  await docker("volume", "rm", "--force", volume).catch(() => undefined);
  await double.close();
}
process.exit(failed ? 1 : 0);
