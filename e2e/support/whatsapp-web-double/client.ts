import { request } from "node:https";
import type { DoubleCapping, DoublePhone, DoubleSessionInfo, FaultTarget, LogoutTarget, LogoutVia, NotifyOption } from "./double";

/**
 * The double's control API (/__double/...) for another process, e.g. a benchmark driving the real
 * server while the double runs from cli.ts. Same operations as the in-process WhatsAppWebDouble.
 */
export interface DoubleControlClient {
  sessions(): Promise<DoubleSessionInfo[]>;
  scan(qr: string, phone: DoublePhone): Promise<void>;
  enterCode(code: string, phone?: Partial<DoublePhone>): Promise<void>;
  rotate(sid?: string): Promise<void>;
  logout(target: LogoutTarget, options?: { via?: LogoutVia }): Promise<void>;
  dropConnection(target: FaultTarget, options: { reconnectAfterMs: number | null }): Promise<void>;
  conflict(target: FaultTarget): Promise<void>;
  hang(target: FaultTarget, options?: { forMs?: number | null }): Promise<void>;
  startTimelock(target: FaultTarget, options?: { endsInMs?: number; enforcementType?: string } & NotifyOption): Promise<void>;
  endTimelock(target: FaultTarget, options?: NotifyOption): Promise<void>;
  setCapping(target: FaultTarget, capping: DoubleCapping | null, options?: NotifyOption): Promise<void>;
  setAvailability(target: FaultTarget, available: boolean): Promise<void>;
  setVersion(version: string): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** origin: the double's https://127.0.0.1:<port>. */
export function createDoubleClient(origin: string): DoubleControlClient {
  const base = new URL(origin);
  // The certificate check is off below, which is only acceptable on this machine.
  if (base.protocol !== "https:" || !LOOPBACK_HOSTS.has(base.hostname)) {
    throw new Error(`The WhatsApp Web double must be on https loopback, not ${origin}`);
  }
  const post = async (path: string, body: object) => {
    await call(new URL(path, base), "POST", body);
  };
  return {
    sessions: async () => (await call(new URL("/__double/sessions", base), "GET")) as DoubleSessionInfo[],
    scan: (qr, phone) => post("/__double/scan", { qr, phone }),
    enterCode: (code, phone) => post("/__double/enter-code", { code, phone }),
    rotate: (sid) => post("/__double/rotate", { sid }),
    logout: (target, options = {}) => post("/__double/logout", { ...target, ...options }),
    dropConnection: (target, options) => post("/__double/drop", { ...target, ...options }),
    conflict: (target) => post("/__double/conflict", target),
    hang: (target, options = {}) => post("/__double/hang", { ...target, ...options }),
    startTimelock: (target, options = {}) => post("/__double/timelock", { ...target, ...options, active: true }),
    endTimelock: (target, options = {}) => post("/__double/timelock", { ...target, ...options, active: false }),
    setCapping: (target, capping, options = {}) => post("/__double/capping", { ...target, ...options, capping }),
    setAvailability: (target, available) => post("/__double/availability", { ...target, available }),
    setVersion: (version) => post("/__double/version", { version }),
  };
}

// node:https rather than fetch: fetch cannot accept the double's self-signed certificate.
function call(url: URL, method: string, body?: object): Promise<unknown> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method, rejectUnauthorized: false, headers: payload ? { "content-type": "application/json" } : {} },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const result = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
          const status = response.statusCode ?? 0;
          if (status >= 400) reject(new Error(`${method} ${url.pathname}: ${status} ${result.error}`));
          else resolve(result);
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}
