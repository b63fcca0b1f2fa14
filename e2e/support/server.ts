import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SERVER_BUNDLE } from "../../scripts/build-fingerprint.mjs";

/** The production server (after `npm run build`), run as its own process so specs can restart or kill it. */
export interface RunningServer {
  url: string;
  port: number;
  apiKey: string;
  dataDir: string;
  /** The server process running now (a new one after each start()). */
  readonly process: ChildProcess;
  /** Everything the server printed, across restarts, for assertions and for debugging a failure. */
  output(): string;
  /** SIGTERM and wait: a graceful shutdown. */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
  /** After stop() or kill(): the same server again (port, API key, data folder, environment), as after a reboot. */
  start(): Promise<void>;
}

export interface ServerOptions {
  /** Reuse a data folder (to test persistence across restarts); a fresh temp folder otherwise. */
  dataDir?: string;
  /** The loopback port to listen on (one a caller had to know beforehand); a free one otherwise. */
  port?: number;
  /** The WAHA_API_KEY to run with; "" lets the server generate and store one. */
  apiKey?: string;
  env?: Record<string, string>;
}

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const TEST_API_KEY = "test-key-0123456789abcdef";

/** The server's environment for routing every session's web.whatsapp.com to the WhatsApp Web double. */
export function doubleEnv(double: { browserArgs: string[] }): Record<string, string> {
  return { SWITCHBOARD_BROWSER_ARGS: double.browserArgs.join(" ") };
}

/** A data folder of its own, removed when the test process exits (a test may stop and start its server on it). */
function madeDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-e2e-"));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? madeDataDir();
  const port = options.port ?? (await freePort());
  const apiKey = options.apiKey ?? TEST_API_KEY;
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  let child: ChildProcess;
  let exited: Promise<void>;

  const launch = async () => {
    // The server as `npm start` runs it: compiled by scripts/build.mjs, no wrapper process in between
    // (a SIGKILL meant to crash the server must reach the server).
    child = spawn(process.execPath, [SERVER_BUNDLE], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        PORT: String(port),
        WHATSAPP_API_HOSTNAME: "127.0.0.1",
        SWITCHBOARD_DATA_DIR: dataDir,
        ...(apiKey ? { WAHA_API_KEY: apiKey } : {}),
        WAHA_LOG_LEVEL: "info",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    await waitUntilUp(url, child, () => output);
  };
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const end = async (signal: NodeJS.Signals) => {
    if (isRunning()) child.kill(signal);
    await exited;
  };

  await launch();
  return {
    url,
    port,
    apiKey,
    dataDir,
    get process() {
      return child;
    },
    output: () => output,
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
    start: async () => {
      if (isRunning()) throw new Error("the server is running: stop() or kill() it before start()");
      await launch();
    },
  };
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${url}/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`server did not come up in 30 s:\n${output()}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
