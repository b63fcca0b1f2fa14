import type { TSessionHealth } from "./session-health";

type Parts = "probe" | "restart" | "pulse";

/**
 * Test-only: a valid health block of a session not probed yet, with the fields a test cares about replaced
 * (inside `probe`, `restart` and `pulse` field by field).
 */
export function sampleSessionHealth(
  fields: Partial<Omit<TSessionHealth, Parts>> & { [Part in Parts]?: Partial<TSessionHealth[Part]> } = {},
): TSessionHealth {
  const { probe, restart, pulse, ...rest } = fields;
  return {
    probe: { enabled: true, intervalMs: 10_000, lastAt: null, lastOkAt: null, latencyMs: null, state: null, suspect: null, ...probe },
    failures: 0,
    maxFailures: 10,
    gaveUp: false,
    restart: { backoffMs: 2000, maxBackoffMs: 300_000, at: null, ...restart },
    lastFailure: null,
    lastDisconnect: null,
    pulse: { enabled: false, intervalMs: 0, onlineMs: 25_000, lastAt: null, ...pulse },
    ...rest,
  };
}
