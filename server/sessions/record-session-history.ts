import { SerialQueue } from "@/lib/serial-queue";
import type { SessionsContext } from "./context";
import { appendHistory, foldQrRefresh } from "./session-history";
import { saveHealth } from "./session-repository";

export interface HistoryRecorder {
  unsubscribe(): void;
  /** Resolves once every change seen so far is stored (shutdown waits for it before closing the database). */
  whenIdle(): Promise<void>;
}

/**
 * Store the EngineHost's status changes (the timeline with reasons, failures in a row, disconnects)
 * and each session's last fault and disconnect, so an operator still sees why a session went down
 * after a server restart. One write at a time, in the order of the changes. A QR refresh (each one
 * re-emits SCAN_QR_CODE) is counted in the SCAN_QR_CODE row it repeats, as the live history folds it, so
 * refreshes never prune real transitions; a WORKING re-issued because a restriction changed is a row of its
 * own (its `data` differs), so the timeline says when a timelock or cap started and ended.
 */
export function recordSessionHistory(ctx: SessionsContext): HistoryRecorder {
  const writes = new SerialQueue();
  const lastStored = new Map<string, string>();
  // The id of each session's newest row, set by the write that stored it (read by the writes queued after it).
  const lastRowId = new Map<string, string>();
  const unsubscribe = ctx.host.subscribe((event) => {
    if (event.type !== "status") return;
    const { session, change, snapshot, disconnect } = event;
    const seen = `${change.status} ${JSON.stringify(event.data)}`;
    if (lastStored.get(session) === seen) {
      if (change.status === "SCAN_QR_CODE") enqueue(session, () => foldInto(session, change.timestamp));
      return;
    }
    if (change.status === "STOPPED") lastStored.delete(session);
    else lastStored.set(session, seen);
    const { lastFailure, lastDisconnect, failures } = snapshot.health;
    const entry = { session, timestamp: change.timestamp, status: change.status, reason: change.reason, failures, disconnect };
    enqueue(session, async () => {
      const id = await appendHistory(ctx.db, entry, ctx.env.historyRowsPerSession);
      // A stopped session's next row follows a start: nothing is folded into the STOPPED one.
      if (id && change.status !== "STOPPED") lastRowId.set(session, id);
      else lastRowId.delete(session);
      await saveHealth(ctx.db, session, {
        lastFailure: change.status === "FAILED" ? (lastFailure ?? undefined) : undefined,
        lastDisconnect: disconnect ? (lastDisconnect ?? undefined) : undefined,
      });
    });
  });

  function enqueue(session: string, write: () => Promise<void>): void {
    writes.run(write).catch((error: unknown) => ctx.logger.error({ err: error, session }, "could not store a status change"));
  }

  async function foldInto(session: string, timestamp: number): Promise<void> {
    const id = lastRowId.get(session);
    if (id) await foldQrRefresh(ctx.db, id, timestamp);
  }

  return { unsubscribe, whenIdle: () => writes.run(() => undefined) };
}
