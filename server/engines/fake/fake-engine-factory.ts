import { createHash, randomUUID } from "node:crypto";
import type { TAccount } from "@/lib/session";
import type { Clock } from "../clock";
import type { EngineFactory } from "../engine";
import { FakeEngine } from "./fake-engine";

/**
 * TEST ONLY (`SWITCHBOARD_TEST_ENGINE=fake`, docs/configuration.md): sessions without Chromium or
 * WhatsApp, for scale tests and benchmarks that need hundreds of them. A session is WORKING a moment after
 * its start, logged in as an account made from its name (fakeAccount), and stops at once. With the
 * metadata `fake.eventEveryMs` set, it emits a raw `message` event (an `engine.event` for webhooks and
 * live clients) that often, carrying `FakeMessage`, so a test can count lost and repeated deliveries.
 */

/** The session metadata key that sets a fake session's message pace, in milliseconds. */
export const FAKE_EVENT_EVERY_KEY = "fake.eventEveryMs";

/** The data of each fake `message` event. */
export type FakeMessage = {
  /** 1, 2, 3, … per session within this server process (a restart of the session keeps counting). */
  seq: number;
  session: string;
  /** WAHA_WORKER_ID of the server that emitted it; null when unset. */
  worker: string | null;
  /** Random per server process: `seq` starts again at 1 in a new process, which this tells apart. */
  process: string;
  /** When it was emitted (epoch ms, the emitting server's clock). */
  at: number;
};

export interface FakeEngineFactoryOptions {
  workerId: string | null;
  clock: Clock;
}

export function createFakeEngineFactory(options: FakeEngineFactoryOptions): EngineFactory {
  const processId = randomUUID();
  const sequences = new Map<string, number>();
  const nextMessage = (session: string): FakeMessage => {
    const seq = (sequences.get(session) ?? 0) + 1;
    sequences.set(session, seq);
    return { seq, session, worker: options.workerId, process: processId, at: options.clock.now() };
  };

  return {
    create({ session, config, onEvent }) {
      const pace = parseEventEvery(config.metadata?.[FAKE_EVENT_EVERY_KEY]);
      return new FakeEngine(
        { session, config, onEvent },
        {
          // A bad pace fails the start, saying why, as a bad setting of a real engine does.
          startError: typeof pace === "string" ? new Error(pace) : undefined,
          live: {
            account: fakeAccount(session),
            clock: options.clock,
            messageEveryMs: typeof pace === "number" ? pace : null,
            firstMessageAfterMs: typeof pace === "number" ? firstMessageDelay(session, pace) : 0,
            message: () => nextMessage(session),
          },
        },
      );
    },
    // Nothing is stored: every start is "logged in" already.
    removeAuthData: async () => undefined,
    removeLocalCopy: async () => undefined,
    hasAuthData: async () => true,
  };
}

/** The pace in ms, null when unset, or what is wrong with it. */
function parseEventEvery(value: string | undefined): number | null | string {
  if (value === undefined) return null;
  const ms = Number(value);
  if (value.trim() === "" || !Number.isInteger(ms) || ms < 1) {
    return `metadata ${FAKE_EVENT_EVERY_KEY} must be a whole number of milliseconds, 1 or more (got "${value}")`;
  }
  return ms;
}

/**
 * When a session's first message comes after its login: one whole pace and up to one more, fixed by the session's
 * name. Accounts of real users do not receive their messages in step; without it, the hundreds of sessions a
 * failover starts within a second would each emit at the same moment of every period, in bursts a real cluster
 * never sees. Never before one whole pace, so a test can count on a quiet first period.
 */
export function firstMessageDelay(session: string, everyMs: number): number {
  return everyMs + (createHash("sha256").update(session).digest().readUInt32BE(0) % everyMs);
}

/** A stable account per session name, so `me` is the same on every worker and every start. */
export function fakeAccount(session: string): TAccount {
  const digits = BigInt(`0x${createHash("sha256").update(session).digest("hex").slice(0, 15)}`)
    .toString()
    .padStart(11, "0")
    .slice(-11);
  const number = `1${digits}`;
  return { id: `${number}@c.us`, lid: `9${digits}@lid`, jid: `${number}:1@s.whatsapp.net`, pushName: session };
}
