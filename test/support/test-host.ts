import pino from "pino";
import type { EngineFactory } from "@/server/engines/engine";
import type { EngineHostOptions } from "@/server/engines/engine-host";
import type { FakeClock } from "./fake-clock";

/**
 * EngineHost options for unit tests: a silent logger and the same short, fixed timings everywhere
 * (probe every 10 s, restarts from 2 s up to 10 s), on the test's fake clock and engine factory.
 */
export function testHostOptions(
  parts: { factory: EngineFactory; clock: FakeClock },
  overrides: Partial<EngineHostOptions> = {},
): EngineHostOptions {
  return {
    ...parts,
    logger: pino({ level: "silent" }),
    restartDelayMs: 2000,
    maxRestartDelayMs: 10_000,
    startTimeoutMs: 60_000,
    qrStaleMs: 30_000,
    stopTimeoutMs: 5000,
    health: { intervalMs: 10_000, timeoutMs: 5000, reconnectGraceMs: 10_000 },
    maxFailures: 10,
    stableMs: 60_000,
    ...overrides,
  };
}
