import { SerialQueue } from "@/lib/serial-queue";
import type { SessionsContext } from "./context";
import { appendHistory } from "./session-history";
import { saveHealth } from "./session-repository";

export interface HistoryRecorder {
  unsubscribe(): void;
  /** Resolves once every change seen so far is stored (shutdown waits for it before closing the database). */
  whenIdle(): Promise<void>;
}

/**
 * Store the EngineHost's status changes (the timeline with reasons, failures in a row, disconnects)
 * and each session's last fault and disconnect, so an operator still sees why a session went down
 * after a server restart. One write at a time, in the order of the changes. A repeated status (each
 * QR refresh re-emits SCAN_QR_CODE) is not stored again; a WORKING re-issued because a restriction
 * changed is (its `data` differs), so the timeline says when a timelock or cap started and ended.
 */
export function recordSessionHistory(ctx: SessionsContext): HistoryRecorder {
  const writes = new SerialQueue();
  const lastStored = new Map<string, string>();
  const unsubscribe = ctx.host.subscribe((event) => {
    if (event.type !== "status") return;
    const { session, change, snapshot, disconnect } = event;
    const seen = `${change.status} ${JSON.stringify(event.data)}`;
    if (lastStored.get(session) === seen) return;
    if (change.status === "STOPPED") lastStored.delete(session);
    else lastStored.set(session, seen);
    const { lastFailure, lastDisconnect, failures } = snapshot.health;
    const entry = { session, timestamp: change.timestamp, status: change.status, reason: change.reason, failures, disconnect };
    writes
      .run(async () => {
        await appendHistory(ctx.db, entry, ctx.env.historyRowsPerSession);
        await saveHealth(ctx.db, session, {
          lastFailure: change.status === "FAILED" ? (lastFailure ?? undefined) : undefined,
          lastDisconnect: disconnect ? (lastDisconnect ?? undefined) : undefined,
        });
      })
      .catch((error: unknown) => ctx.logger.error({ err: error, session }, "could not store a status change"));
  });
  return { unsubscribe, whenIdle: () => writes.run(() => undefined) };
}
