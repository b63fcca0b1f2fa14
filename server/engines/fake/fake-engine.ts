import { NO_CAPPING, NO_TIMELOCK } from "@/lib/account-restrictions";
import type { TAccount, TPresence } from "@/lib/session";
import type { Clock, ClockTimer } from "../clock";
import type {
  AccountState,
  BrowserProcess,
  Engine,
  EngineEvent,
  EngineFactory,
  EngineOptions,
  EngineProbe,
  RestrictionKind,
  TProfilePicture,
} from "../engine";

/**
 * An engine without Chromium, one class for two uses:
 * - unit tests drive it: they emit the library's events themselves and read what was called;
 * - the TEST ONLY engine of scale tests and benchmarks (`SWITCHBOARD_TEST_ENGINE=fake`,
 *   fake-engine-factory.ts) lets it run by itself (`live`): logged in at once, and a numbered `message`
 *   event at a set pace. Never a stand-in for WhatsApp in production.
 */

/** A probe of a healthy session. */
export const HEALTHY_PROBE: EngineProbe = { browser: true, page: true, state: "CONNECTED", connection: "connected", account: null };

/** What a page says about an account with no restrictions. */
export const PLAIN_ACCOUNT: AccountState = {
  account: { id: "15550001111@c.us", lid: "27015550001111@lid", jid: "15550001111:3@s.whatsapp.net", pushName: "Alice" },
  presence: "offline",
  reachoutTimelock: NO_TIMELOCK,
  messageCapping: NO_CAPPING,
  webVersion: "2.3000.1017054665",
};

/** What a fake engine does beyond recording calls. */
export interface FakeEngineBehaviour {
  /** start() rejects with it, as a start that cannot happen (no browser, a bad setting). */
  startError?: Error;
  /**
   * Runs by itself, as a client whose login is stored: right after start() it logs in as `account`
   * (WORKING without a QR), then emits a raw `message` event with `message()` as its data every
   * `messageEveryMs` (none when null), the first one `firstMessageAfterMs` after the login, until
   * stopped. Times are on `clock`.
   */
  live?: {
    account: TAccount;
    clock: Clock;
    messageEveryMs: number | null;
    firstMessageAfterMs: number;
    message: () => Record<string, unknown>;
  };
}

/** An engine for unit tests (records calls, lets the test emit library events), or one that runs by itself (`live`). */
export class FakeEngine implements Engine {
  calls: string[] = [];
  /** What probe() answers: a probe, an error to reject with, or "hang" (a page that never answers). */
  probeAnswer: EngineProbe | Error | "hang" = HEALTHY_PROBE;
  /** probe() calls (kept out of `calls`, which tests compare whole). */
  probes = 0;
  /** What readAccount() answers (with the fetch it was asked for recorded in `reads`). */
  accountAnswer: AccountState | Error = PLAIN_ACCOUNT;
  reads: (RestrictionKind | false)[] = [];
  /** setPresence() calls, in order. */
  presences: TPresence[] = [];
  /**
   * What browserProcess() answers. A live engine names the server's own process, so that sampling costs in
   * scale tests and benchmarks what it costs with a browser (docs/observability.md); unit tests set it.
   */
  process: BrowserProcess | null;
  /** Set to make start() hang until release() is called, to test queueing. */
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  /** The live engine's pending login or next message. */
  private timer: ClockTimer | null = null;
  private stopped = false;

  constructor(
    readonly options: EngineOptions,
    private readonly behaviour: FakeEngineBehaviour = {},
  ) {
    if (behaviour.live) this.accountAnswer = { ...PLAIN_ACCOUNT, account: behaviour.live.account };
    this.process = behaviour.live ? { pid: process.pid, profileDir: "" } : null;
  }

  holdStart(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
  }

  emit(event: EngineEvent): void {
    this.options.onEvent(event);
  }

  async start(): Promise<void> {
    this.calls.push("start");
    if (this.gate) await this.gate;
    if (this.behaviour.startError) throw this.behaviour.startError;
    const live = this.behaviour.live;
    // On the next turn, as a real client's events come after its start: the host is past start() then.
    if (live) this.after(0, () => this.logIn(live));
  }
  async stop(): Promise<void> {
    this.calls.push("stop");
    this.stopped = true;
    if (this.timer) this.behaviour.live?.clock.clearTimeout(this.timer);
    this.timer = null;
  }
  async logout(): Promise<void> {
    this.calls.push("logout");
  }
  async refreshQr(): Promise<void> {
    this.calls.push("refreshQr");
  }
  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.calls.push(`pair:${phoneNumber}`);
    return "ABCD-EFGH";
  }
  async screenshot(): Promise<Buffer> {
    return Buffer.from(BLANK_PNG, "base64");
  }
  async profilePicture(): Promise<TProfilePicture | null> {
    this.calls.push("profilePicture");
    return { bytes: Buffer.from(BLANK_PNG, "base64"), contentType: "image/png" };
  }
  async info(): Promise<Record<string, unknown>> {
    return { WWebVersion: PLAIN_ACCOUNT.webVersion, state: "CONNECTED" };
  }
  async readAccount(options: { fetch: RestrictionKind | false }): Promise<AccountState> {
    this.reads.push(options.fetch);
    if (this.accountAnswer instanceof Error) throw this.accountAnswer;
    return this.accountAnswer;
  }
  async setPresence(presence: TPresence): Promise<TPresence | null> {
    this.presences.push(presence);
    return presence;
  }
  probe(): Promise<EngineProbe> {
    this.probes++;
    const answer = this.probeAnswer;
    if (answer === "hang") return new Promise(() => {});
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }

  browserProcess(): BrowserProcess | null {
    return this.stopped ? null : this.process;
  }

  private logIn(live: NonNullable<FakeEngineBehaviour["live"]>): void {
    this.emit({ type: "authenticated", me: live.account, reason: "logged in (fake engine)" });
    this.emit({ type: "account", state: { ...PLAIN_ACCOUNT, account: live.account } });
    const everyMs = live.messageEveryMs;
    if (everyMs === null) return;
    const next = (ms: number) =>
      this.after(ms, () => {
        this.emit({ type: "raw", event: "message", data: live.message() });
        next(everyMs);
      });
    next(live.firstMessageAfterMs);
  }

  /** Runs `work` after `ms` on the live clock, unless the engine is stopped first. */
  private after(ms: number, work: () => void): void {
    const clock = this.behaviour.live!.clock;
    this.timer = clock.setTimeout(() => {
      this.timer = null;
      if (!this.stopped) work();
    }, ms);
  }
}

/** A 1×1 transparent PNG: what a fake engine's screenshot shows. */
const BLANK_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/** The unit tests' factory: keeps every engine it made, so a test can reach each one. */
export class FakeEngineFactory implements EngineFactory {
  readonly engines: FakeEngine[] = [];
  readonly removedAuth: string[] = [];
  readonly removedLocalCopies: string[] = [];
  startError: Error | undefined;
  /** Called with each new engine before the host starts it. */
  onCreate: ((engine: FakeEngine) => void) | undefined;

  create(options: EngineOptions): FakeEngine {
    const engine = new FakeEngine(options, { startError: this.startError });
    this.onCreate?.(engine);
    this.engines.push(engine);
    return engine;
  }
  async removeAuthData(session: string): Promise<void> {
    this.removedAuth.push(session);
  }
  async removeLocalCopy(session: string): Promise<void> {
    this.removedLocalCopies.push(session);
  }
  async hasAuthData(): Promise<boolean> {
    return false;
  }
  last(session?: string): FakeEngine {
    const engines = session ? this.engines.filter((e) => e.options.session === session) : this.engines;
    const engine = engines.at(-1);
    if (!engine) throw new Error("no engine created");
    return engine;
  }
}
