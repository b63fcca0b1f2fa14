import { ulidFactory } from "@/lib/ulid";
import type { TEnvironment, TEventEnvelope } from "@/lib/event-envelope";
import type { TEventName } from "@/lib/event-names";
import type { TMe } from "@/lib/session";

export interface BuildEnvironmentOptions {
  /** Switchboard's version (package.json), also used in User-Agent. */
  version: string;
  /** Path of the Chromium the WEBJS engine runs, or null. */
  browser: string | null;
  /** WAHA_WORKER_ID; "" or undefined become null as in WAHA. */
  workerId?: string | null;
  /** WAHA reports "PLUS" for its full image; Switchboard has every feature, so it says the same by default. */
  tier?: string;
  /** Defaults to `${process.platform}/${process.arch}`. */
  platform?: string;
}

export function buildEnvironment(options: BuildEnvironmentOptions): TEnvironment {
  return {
    version: options.version,
    engine: "WEBJS",
    tier: options.tier ?? "PLUS",
    browser: options.browser,
    platform: options.platform ?? `${process.platform}/${process.arch}`,
    worker: { id: options.workerId ? options.workerId : null },
  };
}

const ulid = ulidFactory();

/** `evt_` + lower-case ULID (monotonic within a millisecond, so ids sort in emit order). */
export function generateEventId(now: number): string {
  return `evt_${ulid(now).toLowerCase()}`;
}

export interface BuildEnvelopeOptions<TPayload> {
  id: string;
  timestamp: number;
  event: TEventName;
  session: string;
  /** config.metadata; omitted from the envelope when null or undefined. */
  metadata?: Record<string, string> | null;
  me: TMe | null;
  payload: TPayload;
  environment: TEnvironment;
}

/** Builds the envelope with WAHA's key order: id, timestamp, event, session, metadata, me, payload, engine, environment. */
export function buildEnvelope<TPayload>(options: BuildEnvelopeOptions<TPayload>): TEventEnvelope<TPayload> {
  const { environment } = options;
  return {
    id: options.id,
    timestamp: options.timestamp,
    event: options.event,
    session: options.session,
    ...(options.metadata != null ? { metadata: options.metadata } : {}),
    me: options.me ?? null,
    payload: options.payload,
    engine: "WEBJS",
    // Copied, so the stored bytes never depend on a caller mutating its environment object later.
    environment: {
      version: environment.version,
      engine: environment.engine,
      tier: environment.tier,
      browser: environment.browser,
      platform: environment.platform,
      worker: { id: environment.worker.id },
    },
  };
}
