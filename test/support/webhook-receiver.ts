import http from "node:http";
import type { AddressInfo } from "node:net";

/** A real HTTP webhook receiver on 127.0.0.1 that records every request. */

export interface TReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  receivedAt: number;
}

export interface TReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the dispatcher's timeout or shutdown ends it). */
  hang?: boolean;
}

export type TReplyFn = (request: TReceivedRequest, index: number) => TReply;

export interface Receiver {
  url: string;
  port: number;
  requests: TReceivedRequest[];
  /** Requests being held open right now (hang). */
  readonly hanging: number;
  setReply(reply: TReplyFn): void;
  /** Answers every request held open so far (hang) with `reply`. */
  release(reply: TReply): void;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(reply: TReplyFn = () => ({ status: 200, body: "ok" }), port = 0): Promise<Receiver> {
  const requests: TReceivedRequest[] = [];
  let current = reply;
  const held = new Set<http.ServerResponse>();
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: TReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
        receivedAt: Date.now(),
      };
      const index = requests.push(request) - 1;
      for (const waiter of waiters.splice(0)) waiter();
      const answer = current(request, index);
      if (answer.hang) {
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? "");
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}/hook`,
    port: actualPort,
    requests,
    get hanging() {
      return held.size;
    },
    setReply(next) {
      current = next;
    },
    release(answer) {
      for (const res of held) {
        held.delete(res);
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? "");
      }
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${requests.length} of ${count} requests in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (connection refused), free to be listened on later. */
export async function reservePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
