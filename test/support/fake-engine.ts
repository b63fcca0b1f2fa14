import { NO_CAPPING, NO_TIMELOCK } from "@/lib/account-restrictions";
import type { TPresence } from "@/lib/session";
import type {
  AccountState,
  Engine,
  EngineEvent,
  EngineFactory,
  EngineOptions,
  EngineProbe,
  RestrictionKind,
} from "@/server/engines/engine";

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

/** An engine for unit tests: records calls and lets the test emit library events. */
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
  /** Set to make start() hang until release() is called, to test queueing. */
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;

  constructor(
    readonly options: EngineOptions,
    private readonly behaviour: { startError?: Error } = {},
  ) {}

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
  }
  async stop(): Promise<void> {
    this.calls.push("stop");
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
    return Buffer.from("png");
  }
  async info(): Promise<Record<string, unknown>> {
    return { state: "CONNECTED" };
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
}

export class FakeEngineFactory implements EngineFactory {
  readonly engines: FakeEngine[] = [];
  readonly removedAuth: string[] = [];
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
