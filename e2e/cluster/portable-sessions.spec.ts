import fs from "node:fs";
import path from "node:path";
import { rank } from "@/server/cluster/rendezvous";
import type { ApiClient } from "../support/api";
import type { DoubleSessionInfo, WhatsAppWebDouble } from "../support/whatsapp-web-double/double";
import { expect, test } from "../support/cluster-fixtures";
import { waitFor, type Cluster } from "../support/cluster";
import { descendantsOf, isAlive, processesMatching } from "../support/processes";

/**
 * Failover of real sessions (whatsapp-web.js and Chromium, no test engine) in a cluster of three workers
 * behind nginx, against the WhatsApp Web double (docs/cluster.md, "Portable sessions"): a `kill -9` of
 * their worker takes its Chromiums with it, and the sessions run WORKING on another worker from their
 * saved logins, with no new QR, never with two pages of one linked device connected to WhatsApp at once;
 * a worker paused while another took over cannot overwrite the login when it resumes. Two sessions at
 * most: each costs a Chromium (about 250 MiB) on this machine.
 */

test.use({ clusterOptions: { withDouble: true } });

interface TSessionRow {
  name: string;
  status: string;
  assignedWorker: string | null;
  me: { id: string } | null;
}

interface TSessionDetail extends TSessionRow {
  statuses: { status: string; timestamp: number; reason?: string | null }[];
  login: { generation: number; savedBy: string; restoredBy: string | null; restoreMs: number | null; size: number } | null;
}

/** Each session logs in as a phone number of its own, so two online pages of one number are one session online twice. */
const PHONES = ["15550007001", "15550007002"];

/**
 * Two names that the placement (server/cluster/rendezvous.ts; every worker has the same capacity here)
 * puts on one worker, so one kill moves both.
 */
function namesOnOneWorker(cluster: Cluster, prefix: string): string[] {
  const ids = cluster.workers.map((worker) => worker.id);
  const byWorker = new Map<string, string[]>();
  for (let i = 1; ; i++) {
    const name = `${prefix}-${i}`;
    const first = rank(name, ids)[0];
    const names = [...(byWorker.get(first) ?? []), name];
    if (names.length === 2) return names;
    byWorker.set(first, names);
  }
}

async function rowsOf(api: ApiClient, names: string[]): Promise<TSessionRow[]> {
  const response = await api.get<TSessionRow[]>("/api/sessions?all=true");
  expect(response.status).toBe(200);
  return response.body.filter((row) => names.includes(row.name));
}

/** Waits until `rows` of every one of `names` pass `check`; their rows. */
async function waitForRows(
  api: ApiClient,
  names: string[],
  check: (row: TSessionRow) => boolean,
  options: { timeoutMs: number; what: string },
): Promise<TSessionRow[]> {
  return waitFor(
    async () => {
      const rows = await rowsOf(api, names);
      return rows.length === names.length && rows.every(check) ? rows : null;
    },
    { ...options, intervalMs: 250 },
  );
}

/** Scans the session's current QR (asked through nginx, so from whichever worker runs it) with `phone`. */
async function scan(cluster: Cluster, double: WhatsAppWebDouble, name: string, phone: string) {
  await waitFor(
    async () => {
      const qr = await cluster.api.get<{ value: string }>(`/api/${name}/auth/qr?format=raw`);
      if (qr.status !== 200) return false;
      // A QR that rotated or whose page went away meanwhile is refused: ask again.
      await double.scan(qr.body.value, { user: phone, pushname: name });
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 250, what: `${name} scanned` },
  );
}

/** One session as GET /api/sessions/{name} shows it, with its saved login. */
async function detailOf(api: ApiClient, name: string): Promise<TSessionDetail> {
  const response = await api.get<TSessionDetail>(`/api/sessions/${name}`);
  expect(response.status, `GET ${name}: ${response.text}`).toBe(200);
  return response.body;
}

/** Waits until `name`'s login is saved (`check` passes on it); its detail. */
function waitForLogin(api: ApiClient, name: string, check: (login: NonNullable<TSessionDetail["login"]>) => boolean, what: string) {
  return waitFor(
    async () => {
      const detail = await detailOf(api, name);
      return detail.login && check(detail.login) ? detail : null;
    },
    // The first save waits for the login to settle (10 s after ready).
    { timeoutMs: 45_000, intervalMs: 250, what },
  );
}

/** Creates the sessions stopped, starts them, and logs each in on the double as its own phone number. */
async function logIn(cluster: Cluster, double: WhatsAppWebDouble, names: string[]): Promise<TSessionRow[]> {
  // Created stopped, then started: a create runs on the worker nginx picked, a start of a session nobody
  // runs goes to the worker the placement picks.
  for (const name of names) {
    const created = await cluster.api.post("/api/sessions", { name, start: false });
    expect(created.status, `create ${name}: ${created.text}`).toBe(201);
    const started = await cluster.api.post(`/api/sessions/${name}/start`);
    expect(started.status, `start ${name}: ${started.text}`).toBeLessThan(300);
  }
  for (const [i, name] of names.entries()) {
    await waitForRows(cluster.api, [name], (row) => row.status === "SCAN_QR_CODE", { timeoutMs: 60_000, what: `${name} SCAN_QR_CODE` });
    await scan(cluster, double, name, PHONES[i]);
  }
  return waitForRows(cluster.api, names, (row) => row.status === "WORKING" && row.assignedWorker !== null, {
    timeoutMs: 30_000,
    what: "every session WORKING",
  });
}

/**
 * Pages online (CONNECTED) at once for one linked device, or for one phone number (one session here):
 * a description of each clash in `pages`, none when all is well.
 */
function clashes(pages: DoubleSessionInfo[]): string[] {
  const online = pages.filter((page) => page.state === "CONNECTED");
  const found: string[] = [];
  for (const key of ["device", "user"] as const) {
    const counts = new Map<string, number>();
    for (const page of online) if (page[key]) counts.set(page[key], (counts.get(page[key]) ?? 0) + 1);
    for (const [value, count] of counts) if (count > 1) found.push(`${count} pages online for ${key} ${value}`);
  }
  return found;
}

test("kill -9 of the worker running two Chromium sessions: they are WORKING on another worker with no new QR, never online twice; a phone logout still ends one", async ({
  cluster,
  double,
}) => {
  test.setTimeout(180_000);
  for (const worker of cluster.workers) await cluster.waitUntilReady(worker);
  const names = namesOnOneWorker(cluster, "failover");
  const before = await logIn(cluster, double, names);
  const victim = cluster.worker(before[0].assignedWorker!);
  expect(
    before.map((row) => row.assignedWorker),
    "the placement put both on one worker",
  ).toEqual([victim.id, victim.id]);
  for (const name of names) await waitForLogin(cluster.api, name, (login) => login.savedBy === victim.id, `${name}'s login saved`);
  const chromiums = processesMatching(`${victim.dataDir}/sessions`);
  expect(chromiums.length, "Chromium processes of the owner").toBeGreaterThan(0);
  // Everything the owner started: its Chromiums and their helpers, its fencing watchdog.
  const started = descendantsOf(victim.server.process.pid!);
  expect(started).toEqual(expect.arrayContaining(chromiums));
  expect(clashes(double.sessions())).toEqual([]);

  // From the kill to the end: every ~50 ms, and at the instant any page comes online.
  const seen: string[] = [];
  let samples = 0;
  const check = (when: string) => {
    samples++;
    for (const clash of clashes(double.sessions())) seen.push(`${when}: ${clash}`);
  };
  const onOnline = () => check("a page came online");
  double.events.on("paired", onOnline);
  double.events.on("restored", onOnline);
  const sampler = setInterval(() => check("sample"), 50);

  try {
    const killedAt = Date.now();
    await cluster.kill9(victim);
    // Its browsers die with it (Chromium is launched on a pipe): nothing may stay connected for a server that is gone.
    await waitFor(() => processesMatching(victim.dataDir).length === 0 && !started.some(isAlive), {
      timeoutMs: 10_000,
      what: `no process with ${victim.dataDir} in its command line, none of the ${started.length} processes ${victim.id} started`,
    });
    const chromiumGoneMs = Date.now() - killedAt;

    // The new owner restores the saved login before its launch: WORKING without a QR.
    const after = await waitForRows(
      cluster.api,
      names,
      (row) => row.assignedWorker !== null && row.assignedWorker !== victim.id && row.status === "WORKING",
      { timeoutMs: 45_000, what: "both sessions WORKING on a live worker" },
    );
    const workingMs = Date.now() - killedAt;
    for (const row of after) {
      expect(row.me?.id, row.name).toBe(`${PHONES[names.indexOf(row.name)]}@c.us`);
      const detail = await detailOf(cluster.api, row.name);
      const since = detail.statuses.filter((change) => change.timestamp >= killedAt);
      expect(
        since.filter((change) => change.status === "SCAN_QR_CODE"),
        `${row.name} asked for no QR after the move`,
      ).toEqual([]);
      expect(detail.login, `${row.name}'s login restored by its new owner`).toMatchObject({
        restoredBy: row.assignedWorker,
        restoreMs: expect.any(Number),
      });
    }
    expect(clashes(double.sessions())).toEqual([]);

    const description =
      `the ${started.length} processes ${victim.id} started (${chromiums.length} of them Chromium) gone ${chromiumGoneMs} ms after the kill; ` +
      `WORKING elsewhere without a QR ${workingMs} ms after the kill (${after.map((row) => `${row.name} on ${row.assignedWorker}`).join(", ")}); ` +
      `${samples} checks of the double`;
    test.info().annotations.push({ type: "failover", description });
    console.log(`[portable-sessions] ${description}`);

    // The phone removes the device after the move: the session on its new worker ends, and its login is forgotten.
    await double.logout({ user: PHONES[0] });
    await waitForRows(cluster.api, [names[0]], (row) => row.status === "FAILED", {
      timeoutMs: 30_000,
      what: `${names[0]} FAILED after the phone logout`,
    });
    expect((await detailOf(cluster.api, names[0])).statuses.at(-1)?.reason).toMatch(/LOGOUT/);
    await waitFor(async () => (await detailOf(cluster.api, names[0])).login === null, {
      timeoutMs: 15_000,
      intervalMs: 250,
      what: `${names[0]}'s saved login removed`,
    });
  } finally {
    clearInterval(sampler);
    double.events.off("paired", onOnline);
    double.events.off("restored", onOnline);
  }
  expect(seen, "pages online at once for one linked device or phone number").toEqual([]);
  // The sampler really ran through the failover (a check at least every ~50 ms, with room for a busy machine).
  expect(samples).toBeGreaterThan(20);

  // A delete removes every copy of the login: the owner's profile, the saved login, and the copy the killed
  // worker left on its disk, which it drops once it is back.
  await cluster.restart(victim);
  const [deleted] = await rowsOf(cluster.api, [names[1]]);
  expect((await cluster.api.delete(`/api/sessions/${names[1]}`)).status).toBeLessThan(300);
  const copies = [victim, cluster.worker(deleted.assignedWorker!)].map((worker) => path.join(worker.dataDir, "sessions", names[1]));
  await waitFor(() => copies.every((dir) => !fs.existsSync(dir)), {
    timeoutMs: 15_000,
    intervalMs: 100,
    what: `no copy of ${names[1]}'s profile left (${copies.join(", ")})`,
  });
});

test("a worker paused while another took its session over cannot overwrite the session's login when it resumes", async ({
  cluster,
  double,
}) => {
  test.setTimeout(180_000);
  for (const worker of cluster.workers) await cluster.waitUntilReady(worker);
  const [name] = namesOnOneWorker(cluster, "paused");
  const [row] = await logIn(cluster, double, [name]);
  const paused = cluster.worker(row.assignedWorker!);
  // nginx would keep trying the paused worker: ask one that runs.
  const api = cluster.workers.find((worker) => worker !== paused)!.api;
  const saved = await waitForLogin(api, name, (login) => login.savedBy === paused.id, `${name}'s login saved by ${paused.id}`);

  cluster.sigstop(paused);
  let newOwner: string;
  try {
    const [moved] = await waitForRows(
      api,
      [name],
      (r) => r.status === "WORKING" && r.assignedWorker !== null && r.assignedWorker !== paused.id,
      { timeoutMs: 45_000, what: `${name} WORKING on another worker` },
    );
    newOwner = moved.assignedWorker!;
    // A change that only the paused worker's copy has: once resumed, it tries to save it.
    fs.writeFileSync(
      path.join(paused.dataDir, "sessions", name, `session-${name}`, "Default", "Local Storage", "leveldb", "999999.log"),
      "stale",
    );
  } finally {
    cluster.sigcont(paused);
  }
  await waitFor(() => paused.output().includes("the login was not saved: another worker owns this session now"), {
    timeoutMs: 30_000,
    intervalMs: 250,
    what: `${paused.id} refused to save its stale login`,
  });
  await cluster.waitUntilReady(paused);
  const after = await detailOf(api, name);
  expect(after.status).toBe("WORKING");
  expect(after.assignedWorker).toBe(newOwner!);
  // The stored login is the one the new owner restored, or a later save of its own: never one of the paused worker's.
  expect(after.login).toMatchObject({ restoredBy: newOwner! });
  const { generation, savedBy } = after.login!;
  expect(
    generation === saved.login!.generation || savedBy === newOwner!,
    `generation ${generation} saved by ${savedBy} (before the pause: ${saved.login!.generation})`,
  ).toBe(true);
  expect(clashes(double.sessions())).toEqual([]);
});
