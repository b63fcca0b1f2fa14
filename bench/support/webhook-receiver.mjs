/**
 * Helper of bench/webhooks.ts: webhook receivers on 127.0.0.1 in their own process, so that receiving
 * never takes CPU time from the dispatcher's event loop. Plain JS, forked without the tsx loader.
 * Driven over IPC, one answer per request (matched by `id`):
 *   { id, cmd: "listen", mode: "ok" | "hang", key }  -> { id, port }
 *     ok: checks X-Webhook-Hmac (HMAC-SHA512 of the raw body with `key`), answers 200.
 *     hang: reads the request and never answers (the dispatcher's timeout or shutdown ends it).
 *   { id, cmd: "report", port }  -> { id, count, badHmac, first, last, latencies, ids }, then resets.
 *     latencies: receipt - X-Webhook-Timestamp (the envelope's emit time) in ms; ids: envelope ids, duplicates kept.
 *   { id, cmd: "close", port }   -> { id }
 * Exits when the parent goes away.
 */
import { createHmac } from "node:crypto";
import http from "node:http";

const receivers = new Map();

function listen(mode, key) {
  const state = { count: 0, badHmac: 0, first: 0, last: 0, latencies: [], ids: [], held: new Set() };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const now = Date.now();
      if (mode === "hang") {
        state.held.add(res);
        res.on("close", () => state.held.delete(res));
        return;
      }
      const body = Buffer.concat(chunks);
      if (createHmac("sha512", key).update(body).digest("hex") !== req.headers["x-webhook-hmac"]) state.badHmac++;
      // The envelope's keys come in a fixed order, "id" first (docs/webhooks.md).
      const id = /^\{"id":"([^"]+)"/.exec(body.toString("latin1", 0, 64))?.[1] ?? "?";
      state.ids.push(id);
      state.latencies.push(now - Number(req.headers["x-webhook-timestamp"]));
      state.count++;
      if (!state.first) state.first = now;
      state.last = now;
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok");
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      receivers.set(port, { server, state });
      resolve(port);
    });
  });
}

function report(port) {
  const { state } = receivers.get(port);
  const { count, badHmac, first, last, latencies, ids } = state;
  Object.assign(state, { count: 0, badHmac: 0, first: 0, last: 0, latencies: [], ids: [] });
  return { count, badHmac, first, last, latencies, ids };
}

async function close(port) {
  const receiver = receivers.get(port);
  if (!receiver) return;
  receivers.delete(port);
  for (const res of receiver.state.held) res.destroy();
  receiver.server.closeAllConnections();
  await new Promise((resolve) => receiver.server.close(resolve));
}

process.on("message", async (message) => {
  const { id, cmd } = message;
  if (cmd === "listen") process.send({ id, port: await listen(message.mode, message.key) });
  else if (cmd === "report") process.send({ id, ...report(message.port) });
  else if (cmd === "close") {
    await close(message.port);
    process.send({ id });
  }
});
process.on("disconnect", () => process.exit(0));
