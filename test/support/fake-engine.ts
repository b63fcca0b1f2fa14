import type { Engine, EngineEvent, EngineFactory, EngineOptions, EngineProbe } from "@/server/engines/engine";

/** A probe of a healthy session. */
export const HEALTHY_PROBE: EngineProbe = { browser: true, page: true, state: "CONNECTED", connection: "connected" };

/** An engine for unit tests: records calls and lets the test emit library events. */
export class FakeEngine implements Engine {
  calls: string[] = [];
  /** What probe() answers: a probe, an error to reject with, or "hang" (a page that never answers). */
  probeAnswer: EngineProbe | Error | "hang" = HEALTHY_PROBE;
  /** probe() calls (kept out of `calls`, which tests compare whole). */
  probes = 0;
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
