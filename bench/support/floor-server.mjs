/**
 * Helper of bench/boot.ts: the floor, a bare `node:http` server with better-sqlite3 answering
 * `GET /api/sessions/{name}` (API key checked, the row and its metadata read, JSON written) from a
 * Switchboard database. Nothing a framework adds: what Switchboard's answer costs above this is ours.
 * Usage: node bench/support/floor-server.mjs <database file> <port> <api key>; prints "ready" when listening.
 */
import http from "node:http";
import Database from "better-sqlite3";

const [file, port, apiKey] = process.argv.slice(2);
const db = new Database(file, { readonly: true });
const sessionByName = db.prepare("SELECT name, config, running, meId, mePushName, lastActivityAt FROM Session WHERE name = ?");
const metadataOf = db.prepare("SELECT key, value FROM SessionMetadata WHERE sessionName = ?");

const server = http.createServer((req, res) => {
  if (req.headers["x-api-key"] !== apiKey) {
    res.writeHead(401, { "content-type": "application/json" }).end('{"statusCode":401,"message":"Unauthorized"}');
    return;
  }
  const match = /^\/api\/sessions\/([^/?]+)/.exec(req.url ?? "");
  const row = match ? sessionByName.get(decodeURIComponent(match[1])) : undefined;
  if (!row) {
    res.writeHead(404, { "content-type": "application/json" }).end('{"statusCode":404,"message":"Not Found"}');
    return;
  }
  const metadata = Object.fromEntries(metadataOf.all(row.name).map((entry) => [entry.key, entry.value]));
  const body = JSON.stringify({
    name: row.name,
    status: row.running ? "STARTING" : "STOPPED",
    config: { ...JSON.parse(row.config), metadata },
    me: row.meId ? { id: row.meId, pushName: row.mePushName } : null,
    engine: { engine: "WEBJS" },
    timestamps: { activity: row.lastActivityAt },
  });
  res.writeHead(200, { "content-type": "application/json" }).end(body);
});
server.listen(Number(port), "127.0.0.1", () => console.log("ready"));
