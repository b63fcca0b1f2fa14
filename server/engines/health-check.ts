import { connectionFaultReason, restartHelps } from "./connection-faults";
import type { EngineProbe } from "./engine";

/**
 * The liveness probe's decisions, pure: what one probe of a WORKING session means, given what was
 * already being watched. The EngineHost runs the probes on its clock and acts on the verdict;
 * docs/session-health.md explains each outcome to operators.
 */

export interface HealthSettings {
  /** Time between two probes of a WORKING session; 0 turns probing off. */
  intervalMs: number;
  /** How long one probe waits for the page to answer. */
  timeoutMs: number;
  /** How long the connection may stay `connecting` (OPENING, TIMEOUT, ...) before it counts as lost. */
  reconnectGraceMs: number;
}

/** How one probe ended, as the host saw it. */
export type ProbeOutcome = { kind: "answered"; probe: EngineProbe } | { kind: "timed-out" } | { kind: "error"; message: string };

/** A fault being watched before it counts. */
export type Suspicion =
  { kind: "connecting"; since: number; state: string } | { kind: "unanswered"; since: number; strikes: number; detail: string | null };

export type Verdict =
  | { action: "healthy" }
  | { action: "watch"; suspicion: Suspicion; recheckInMs: number }
  | { action: "fail"; reason: string; restart: boolean; loggedOut: boolean; disconnect: string | null };

/** Probes in a row the page must leave unanswered to count as hung: one slow answer is not enough. */
export const HUNG_STRIKES = 2;

/** `startedAt`: when this probe started; `now`: when it ended. */
export function judgeProbe(
  outcome: ProbeOutcome,
  suspicion: Suspicion | null,
  time: { startedAt: number; now: number },
  settings: HealthSettings,
): Verdict {
  if (outcome.kind !== "answered") return judgeUnanswered(outcome, suspicion, time);
  const { probe } = outcome;
  if (!probe.browser) return fail("Chromium is not running (the browser process is gone)", true);
  if (!probe.page) return fail("the WhatsApp Web page is closed or its renderer crashed", true);
  const connection = probe.connection ?? "connecting";
  const state = probe.state ?? "unknown";
  if (connection === "connected") return { action: "healthy" };
  if (connection !== "connecting") {
    return {
      action: "fail",
      reason: connectionFaultReason(connection, `state ${state}`),
      restart: restartHelps(connection),
      loggedOut: connection === "logged-out",
      disconnect: state,
    };
  }
  const since = suspicion?.kind === "connecting" ? suspicion.since : time.now;
  const waited = time.now - since;
  if (waited >= settings.reconnectGraceMs) {
    return {
      action: "fail",
      reason: connectionFaultReason("connecting", `state ${state} for ${seconds(waited)} s`),
      restart: true,
      loggedOut: false,
      disconnect: state,
    };
  }
  return { action: "watch", suspicion: { kind: "connecting", since, state }, recheckInMs: settings.reconnectGraceMs - waited };
}

/** A probe that timed out or failed: one more strike; the page is hung after HUNG_STRIKES in a row. */
function judgeUnanswered(
  outcome: Exclude<ProbeOutcome, { kind: "answered" }>,
  suspicion: Suspicion | null,
  time: { startedAt: number; now: number },
): Verdict {
  const previous = suspicion?.kind === "unanswered" ? suspicion : null;
  const strikes = (previous?.strikes ?? 0) + 1;
  const since = previous?.since ?? time.startedAt;
  const detail = outcome.kind === "error" ? outcome.message : null;
  if (strikes < HUNG_STRIKES) {
    // A timed-out probe already waited its whole timeout: ask again at once. A failed one may have hit a
    // navigation: give the page a moment.
    return { action: "watch", suspicion: { kind: "unanswered", since, strikes, detail }, recheckInMs: detail === null ? 0 : 1000 };
  }
  const evidence = detail ?? `no answer to ${strikes} probes in a row, ${seconds(time.now - since)} s`;
  return fail(`the WhatsApp Web page is not responding (${evidence})`, true);
}

/** What is being watched, for the session's `health.probe.suspect`. */
export function describeSuspicion(suspicion: Suspicion | null): string | null {
  if (!suspicion) return null;
  if (suspicion.kind === "connecting") return `reconnecting (state ${suspicion.state})`;
  return `the page did not answer ${suspicion.strikes} probe${suspicion.strikes === 1 ? "" : "s"}${suspicion.detail ? `: ${suspicion.detail}` : ""}`;
}

function fail(reason: string, restart: boolean): Verdict {
  return { action: "fail", reason, restart, loggedOut: false, disconnect: null };
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
