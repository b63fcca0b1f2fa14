import { spawn } from "node:child_process";
import { lstatSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import pino from "pino";
import { NO_CAPPING, NO_TIMELOCK } from "@/lib/account-restrictions";
import type { TSessionConfig } from "@/lib/session-config";
import type { Engine, EngineEvent, EngineFactory } from "@/server/engines/engine";
import { findBrowserProcesses, listProcesses, measureMemory, usesProfile } from "@/server/engines/webjs/process-tree";
import { sessionProfile } from "@/server/engines/webjs/session-profile";
import { findBrowser, findChromium, type BrowserLookup } from "@/server/engines/webjs/find-chromium";
import { createWebjsEngineFactory } from "@/server/engines/webjs/webjs-engine-factory";
import { lidOf, startDouble, type DoublePhone, type WhatsAppWebDouble } from "../support/whatsapp-web-double/double";

/**
 * The WEBJS engine adapter, driven through its EngineFactory (no EngineHost, no server) against the
 * WhatsApp Web double with the real whatsapp-web.js and Debian's Chromium. Pitfall numbers refer to
 * docs/whatsapp-web.md.
 */

type EventOf<T extends EngineEvent["type"]> = Extract<EngineEvent, { type: T }>;

const ALICE: DoublePhone = { user: "15550001111", pushname: "Alice" };
const BOB: DoublePhone = { user: "15550002222", pushname: "Bob" };
const CHROME_PATH = findChromium();

/** One engine plus every event it reported, in order, with the time it arrived. */
class RecordedEngine {
  readonly events: EngineEvent[] = [];
  readonly arrivals = new Map<EngineEvent, number>();
  readonly engine: Engine;
  readonly profileDir: string;

  constructor(
    factory: EngineFactory,
    authDir: string,
    readonly session: string,
    config: TSessionConfig,
  ) {
    const onEvent = (event: EngineEvent) => {
      this.events.push(event);
      this.arrivals.set(event, Date.now());
    };
    this.engine = factory.create({ session, config, onEvent });
    this.profileDir = sessionProfile(authDir, session).profileDir;
  }

  of<T extends EngineEvent["type"]>(type: T): EventOf<T>[] {
    return this.events.filter((event): event is EventOf<T> => event.type === type);
  }

  types(): string[] {
    return this.events.filter((event) => event.type !== "raw").map((event) => event.type);
  }

  async nth<T extends EngineEvent["type"]>(type: T, count = 1): Promise<EventOf<T>> {
    await expect.poll(() => this.of(type).length, { message: `engine event '${type}' #${count}` }).toBeGreaterThanOrEqual(count);
    return this.of(type)[count - 1];
  }

  processes(): Promise<number[]> {
    return findBrowserProcesses({ pid: null, profileDir: this.profileDir });
  }

  /** The browser's main process: the one that leads the process group of this profile. */
  async browserPid(): Promise<number> {
    const all = await listProcesses();
    const leader = all.find((p) => p.pid === p.pgid && usesProfile(p.cmdline, this.profileDir));
    if (!leader) throw new Error(`no Chromium runs on ${this.profileDir}`);
    return leader.pid;
  }
}

let double: WhatsAppWebDouble;
let authDir: string;
let factory: EngineFactory;
const running: RecordedEngine[] = [];
/** The library must never leave an unhandled rejection behind (pitfall 8): Node 20 would exit. */
const unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown) => unhandled.push(reason);

function makeFactory(options: { browserArgs?: string[]; findBrowser?: () => BrowserLookup } = {}): EngineFactory {
  return createWebjsEngineFactory({
    authDir,
    findBrowser: options.findBrowser ?? (() => ({ path: CHROME_PATH! })),
    browserArgs: options.browserArgs ?? double.browserArgs,
    globalProxy: null,
    clientDefaults: {},
    logger: pino({ level: "silent" }),
  });
}

async function startEngine(session: string, config: TSessionConfig = {}, from = factory): Promise<RecordedEngine> {
  const recorded = new RecordedEngine(from, authDir, session, config);
  running.push(recorded);
  await recorded.engine.start();
  return recorded;
}

/** The double's session showing this qr right now (the qr string starts with the current ref). */
function sessionShowing(qr: string) {
  const session = double.sessions().find((s) => s.ref !== null && qr.startsWith(`${s.ref},`));
  if (!session) throw new Error(`no double session shows ${qr}`);
  return session;
}

async function loginWithQr(session: string, phone: DoublePhone): Promise<RecordedEngine> {
  const recorded = await startEngine(session);
  const { value } = await recorded.nth("qr");
  await double.scan(value, phone);
  await recorded.nth("me");
  return recorded;
}

test.beforeAll(async () => {
  expect(CHROME_PATH, "Chromium must be installed for this spec").not.toBeNull();
  double = await startDouble();
  authDir = await mkdtemp(join(tmpdir(), "webjs-engine-spec-"));
  factory = makeFactory();
  process.on("unhandledRejection", recordUnhandled);
});

test.afterEach(async () => {
  const stopped = running.splice(0);
  for (const recorded of stopped) await recorded.engine.stop();
  for (const recorded of stopped) {
    expect(await recorded.processes(), `Chromium left on ${recorded.session}'s profile`).toEqual([]);
  }
  // Late rejections of a torn-down client surface within a few hundred ms.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(unhandled.splice(0), "unhandled rejections").toEqual([]);
});

test.afterAll(async () => {
  process.off("unhandledRejection", recordUnhandled);
  await double?.close();
  await rm(authDir, { recursive: true, force: true });
});

test("QR login: a qr for every ref, then authenticated and me after the scan", async () => {
  const startedAt = Date.now();
  const alice = await startEngine("qr-login");
  const first = await alice.nth("qr");
  const firstQrMs = alice.arrivals.get(first)! - startedAt;
  expect(first.reason).toBe("qr");
  const { sid } = sessionShowing(first.value);

  await double.rotate(sid);
  const second = await alice.nth("qr", 2);
  expect(sessionShowing(second.value).sid).toBe(sid);
  await expect(double.scan(first.value, ALICE)).rejects.toThrow(/stale/);

  const scannedAt = Date.now();
  await double.scan(second.value, ALICE);
  const authenticated = await alice.nth("authenticated");
  const me = await alice.nth("me");
  const authenticatedMs = alice.arrivals.get(authenticated)! - scannedAt;
  const meMs = alice.arrivals.get(me)! - scannedAt;

  const account = await alice.nth("account");
  expect(alice.types()).toEqual(["qr", "qr", "authenticated", "me", "account"]);
  // The library reads client.info only after `authenticated`, so `me` follows it (Client.js); the page
  // adds the LID and this device's JID before `me` is reported.
  expect(authenticated.me).toBeNull();
  const deviceJid = expect.stringMatching(new RegExp(`^${ALICE.user}:\\d+@s\\.whatsapp\\.net$`));
  expect(me.me).toEqual({ id: `${ALICE.user}@c.us`, lid: `${lidOf(ALICE.user)}@lid`, jid: deviceJid, pushName: ALICE.pushname });
  expect(account.state).toEqual({
    account: me.me,
    presence: expect.stringMatching(/^(online|offline)$/),
    reachoutTimelock: NO_TIMELOCK,
    messageCapping: NO_CAPPING,
    webVersion: double.version,
  });
  console.log(`start -> first qr ${firstQrMs} ms; scan -> authenticated ${authenticatedMs} ms, -> me ${meMs} ms`);

  // Raw library events are JSON data, ready for engine.event webhooks.
  const raw = alice.of("raw");
  expect(raw.map((event) => event.event)).toEqual(expect.arrayContaining(["qr", "loading_screen", "authenticated", "ready"]));
  expect(raw.find((event) => event.event === "qr")?.data).toBe(first.value);
  expect(raw.find((event) => event.event === "ready")?.data).toBeNull();
  expect(raw.filter((event) => event.event === "loading_screen").map((event) => event.data)).toEqual([
    [0, "WhatsApp"],
    [50, "WhatsApp"],
    [100, "WhatsApp"],
  ]);

  expect(await alice.engine.info()).toEqual({ WWebVersion: expect.any(String), state: "CONNECTED" });
  const png = await alice.engine.screenshot();
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

  const memory = await measureMemory(await alice.processes());
  console.log(`browser tree at ready: ${memory.processes} processes, PSS ${memory.pssKiB >> 10} MiB, USS ${memory.ussKiB >> 10} MiB`);
});

test("restore: a second run on the same auth data is authenticated without a qr", async () => {
  const first = await loginWithQr("restore", BOB);
  await first.engine.stop();
  expect(await factory.hasAuthData("restore")).toBe(true);

  const startedAt = Date.now();
  const second = await startEngine("restore");
  const me = await second.nth("me");
  console.log(`restore: start -> authenticated ${second.arrivals.get(second.of("authenticated")[0])! - startedAt} ms`);
  expect(me.me).toMatchObject({ id: `${BOB.user}@c.us`, lid: `${lidOf(BOB.user)}@lid`, pushName: BOB.pushname });
  await second.nth("account");
  expect(second.types()).toEqual(["authenticated", "me", "account"]);
});

test("remote logout: failed without restart, and the auth data is gone after stop", async () => {
  const alice = await loginWithQr("remote-logout", ALICE);
  await double.logout({ user: ALICE.user });

  const failed = await alice.nth("failed");
  expect(failed).toEqual({
    type: "failed",
    reason: "logged out from the phone (disconnected: LOGOUT)",
    restart: false,
    disconnect: "LOGOUT",
  });
  expect(alice.of("raw").map((event) => event.event)).toContain("disconnected");

  await alice.engine.stop();
  expect(await alice.processes()).toEqual([]);
  // The library wiped the profile under the running browser (pitfall 10); stop() finishes the job.
  expect(await factory.hasAuthData("remote-logout")).toBe(false);
  // The library re-injects after the logout navigation and shows a qr; a failed engine reports nothing more.
  expect(alice.types()).toEqual(["qr", "authenticated", "me", "account", "failed"]);
});

test("a killed browser is a failure worth a restart, and stop() still cleans up", async () => {
  const bob = await loginWithQr("killed", BOB);
  process.kill(await bob.browserPid(), "SIGKILL");

  const failed = await bob.nth("failed");
  expect(failed.restart).toBe(true);
  expect(failed.reason).toMatch(/Chromium exited or crashed|page/);

  await bob.engine.stop();
  expect(await bob.processes()).toEqual([]);
  expect(await factory.hasAuthData("killed")).toBe(true);
});

test("probe(): CONNECTED while online, the connection's states when it drops, no answer from a hung page, a dead browser at once", async () => {
  const alice = await loginWithQr("probe", ALICE);
  expect(await alice.engine.probe()).toMatchObject({ browser: true, page: true, state: "CONNECTED", connection: "connected" });

  await double.dropConnection({ user: ALICE.user }, { reconnectAfterMs: 1000 });
  const dropped = await alice.nth("connection");
  expect(dropped).toEqual({ type: "connection", state: "TIMEOUT", connection: "connecting" });
  expect(await alice.engine.probe()).toMatchObject({ state: expect.stringMatching(/^(TIMEOUT|OPENING)$/), connection: "connecting" });
  await expect.poll(() => alice.of("connection").at(-1)?.state).toBe("CONNECTED");

  await double.hang({ user: ALICE.user }, { forMs: 3000 });
  const answersWithin500Ms = () =>
    Promise.race([
      // A probe left waiting on the hung page is rejected when the browser goes, below.
      alice.engine.probe().then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500)),
    ]);
  await expect.poll(answersWithin500Ms, { message: "the hung page answered" }).toBe(false);
  await expect.poll(() => alice.engine.probe()).toMatchObject({ connection: "connected" });

  process.kill(await alice.browserPid(), "SIGKILL");
  // A probe already under way when the browser dies rejects (Target closed); the next ones say so at once.
  await expect.poll(() => alice.engine.probe().catch(() => null)).toMatchObject({ browser: false, state: null });
  expect(alice.of("failed")).toHaveLength(1);
});

test("UNPAIRED after ready: failed without restart and the auth data gone; CONFLICT: failed with restart, login kept", async () => {
  const alice = await loginWithQr("unpaired", ALICE);
  await double.logout({ user: ALICE.user }, { via: "unpaired" });
  expect(await alice.nth("failed")).toEqual({
    type: "failed",
    reason: "the phone removed this linked device (disconnected: UNPAIRED)",
    restart: false,
    disconnect: "UNPAIRED",
  });
  await alice.engine.stop();
  expect(await factory.hasAuthData("unpaired")).toBe(false);

  const bob = await loginWithQr("conflict", BOB);
  await double.conflict({ user: BOB.user });
  expect(await bob.nth("failed")).toEqual({
    type: "failed",
    reason: "WhatsApp Web was opened elsewhere with this account (disconnected: CONFLICT)",
    restart: true,
    disconnect: "CONFLICT",
  });
  await bob.engine.stop();
  expect(await bob.processes()).toEqual([]);
  // The library closed the browser itself and was left to finish, so the login reached the profile (pitfall 13).
  const again = await startEngine("conflict");
  expect((await again.nth("me")).me.id).toBe(`${BOB.user}@c.us`);
  await again.nth("account");
  expect(again.types()).toEqual(["authenticated", "me", "account"]);
});

test("pairing code: requestPairingCode returns the code the phone enters", async () => {
  const bob = await startEngine("pairing");
  await bob.nth("qr");

  const issued = double.waitFor("code");
  const code = await bob.engine.requestPairingCode(`+${BOB.user}`);
  expect(code).toMatch(/^[1-9A-Z]{8}$/);
  expect(await issued).toMatchObject({ code, phoneNumber: BOB.user });

  await double.enterCode(code, { pushname: BOB.pushname });
  const me = await bob.nth("me");
  expect(me.me).toMatchObject({ id: `${BOB.user}@c.us`, lid: `${lidOf(BOB.user)}@lid`, pushName: BOB.pushname });
  expect(bob.of("raw").find((event) => event.event === "code")?.data).toBe(code);
});

test("logout() unlinks the device on the phone and leaves no browser", async () => {
  const alice = await loginWithQr("unlink", ALICE);
  const localLogout = double.waitFor("local-logout", (event) => event.user === ALICE.user);

  await alice.engine.logout();
  await localLogout;
  await alice.engine.stop();

  expect(alice.of("failed")).toEqual([]);
  expect(await alice.processes()).toEqual([]);
  await factory.removeAuthData("unlink");
  expect(await factory.hasAuthData("unlink")).toBe(false);
});

test("refreshQr() brings QRs back after WhatsApp stopped issuing refs (pitfall 7)", async () => {
  const idleDouble = await startDouble({ maxRefs: 1 });
  try {
    const alice = await startEngine("refresh", {}, makeFactory({ browserArgs: idleDouble.browserArgs }));
    await alice.nth("qr");
    const idle = idleDouble.waitFor("idle");
    await idleDouble.rotate();
    await idle;

    await alice.engine.refreshQr();
    const fresh = await alice.nth("qr", 2);
    expect(idleDouble.sessions().some((s) => s.ref !== null && fresh.value.startsWith(`${s.ref},`))).toBe(true);
  } finally {
    for (const recorded of running.splice(0)) await recorded.engine.stop();
    await idleDouble.close();
  }
});

test("stop() is safe in any state and never leaves Chromium behind", async () => {
  const neverStarted = new RecordedEngine(factory, authDir, "never-started", {});
  await neverStarted.engine.stop();
  await expect(neverStarted.engine.start()).rejects.toThrow(/only once/);

  // Stopped while Chromium is still launching: the browser that appears afterwards is killed too.
  const launching = await startEngine("launching");
  await launching.engine.stop();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(await launching.processes()).toEqual([]);

  const twice = await startEngine("twice");
  await twice.nth("qr");
  await Promise.all([twice.engine.stop(), twice.engine.stop()]);
  await twice.engine.stop();
  expect(await twice.processes()).toEqual([]);
  expect(launching.events.concat(twice.of("failed"))).toEqual([]);
  await expect(twice.engine.screenshot()).rejects.toThrow(/not open/);
  expect(await twice.engine.info()).toEqual({ WWebVersion: null, state: null });
});

test("start() kills Chromium left on the profile by a crash and clears its lock", async () => {
  const { profileDir } = sessionProfile(authDir, "crashed");
  await mkdir(profileDir, { recursive: true });
  const orphan = spawn(CHROME_PATH!, ["--headless", "--no-sandbox", `--user-data-dir=${profileDir}`, "about:blank"], {
    detached: true,
    stdio: "ignore",
  });
  orphan.unref();
  try {
    // SingletonLock is a symlink to "<host>-<pid>": it dangles, so look at the link itself.
    const locked = () => lstatSync(join(profileDir, "SingletonLock"), { throwIfNoEntry: false }) !== undefined;
    await expect.poll(locked, { message: "orphan Chromium up" }).toBe(true);
    const staleSocket = join(profileDir, "SingletonSocket");
    await rm(staleSocket, { force: true });
    await symlink("/tmp/gone-long-ago/SingletonSocket", staleSocket);

    const crashed = await startEngine("crashed");
    await crashed.nth("qr");
    const pids = await crashed.processes();
    expect(pids).not.toContain(orphan.pid);
    expect(pids).toContain(await crashed.browserPid());
  } finally {
    killGroup(orphan.pid!);
  }
});

test("config.proxy: Chromium goes through the proxy and answers its credential challenge", async () => {
  const proxy = await startConnectProxy(double.port, { username: "switchboard", password: "s3cret" });
  try {
    // No resolver rules: only the proxy knows where web.whatsapp.com is.
    const viaProxy = makeFactory({ browserArgs: ["--ignore-certificate-errors"] });
    const recorded = await startEngine(
      "proxied",
      { proxy: { server: `127.0.0.1:${proxy.port}`, username: "switchboard", password: "s3cret" } },
      viaProxy,
    );
    await recorded.nth("qr");
    expect(proxy.rejected).toBeGreaterThan(0);
    expect(proxy.tunnels).toContain("web.whatsapp.com:443");
  } finally {
    for (const recorded of running.splice(0)) await recorded.engine.stop();
    await proxy.close();
  }
});

test("without Chromium, start() throws a message that says what to do", async () => {
  const missing = () => findBrowser({ platform: "linux", configured: undefined, puppeteerCache: authDir, candidates: [] });
  const engine = makeFactory({ findBrowser: missing }).create({ session: "no-chromium", config: {}, onEvent: () => {} });
  await expect(engine.start()).rejects.toThrow(
    "Chromium not found: install it with `apt-get install -y chromium`, or set SWITCHBOARD_CHROME_PATH",
  );
  await engine.stop();
});

/** For processes this spec started itself, in case the engine under test did not kill them. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** An HTTP CONNECT proxy that demands Basic credentials and tunnels everything to the double. */
async function startConnectProxy(doublePort: number, credentials: { username: string; password: string }) {
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
  const state = { tunnels: [] as string[], rejected: 0 };
  const server: Server = createServer((_request, response) => response.writeHead(405).end());
  server.on("connect", (request, socket, head) => {
    socket.on("error", () => socket.destroy());
    if (request.headers["proxy-authorization"] !== expected) {
      state.rejected += 1;
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    state.tunnels.push(request.url ?? "");
    const upstream = connect(doublePort, "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get tunnels() {
      return state.tunnels;
    },
    get rejected() {
      return state.rejected;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
