import { z } from "zod";

/** WAHA's session statuses, in lifecycle order. */
export const SESSION_STATUSES = ["STOPPED", "STARTING", "SCAN_QR_CODE", "WORKING", "FAILED"] as const;
export const ZSessionStatusSchema = z.enum(SESSION_STATUSES);
export type TSessionStatus = z.infer<typeof ZSessionStatusSchema>;

/**
 * What may follow what. A status may always repeat itself: every QR refresh re-emits SCAN_QR_CODE.
 * Anything may go to STOPPED (stop) or FAILED (a crash); only a start leaves STOPPED or FAILED.
 */
const TRANSITIONS: Record<TSessionStatus, readonly TSessionStatus[]> = {
  STOPPED: ["STARTING"],
  STARTING: ["SCAN_QR_CODE", "WORKING", "FAILED", "STOPPED"],
  SCAN_QR_CODE: ["SCAN_QR_CODE", "WORKING", "STARTING", "FAILED", "STOPPED"],
  WORKING: ["WORKING", "SCAN_QR_CODE", "STARTING", "FAILED", "STOPPED"],
  FAILED: ["STARTING", "STOPPED"],
};

export function canTransition(from: TSessionStatus, to: TSessionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A session "runs" (holds an engine) in every status but STOPPED; WAHA counts FAILED as running. */
export function isRunningStatus(status: TSessionStatus): boolean {
  return status !== "STOPPED";
}

/** The optional fields of a history entry into which QR refreshes were folded (`foldStatusChange`). */
export const ZFoldedQrFields = {
  count: z
    .number()
    .int()
    .min(2)
    .optional()
    .describe("SCAN_QR_CODE only: the QR codes shown in a row, each refresh after the first folded into this entry; absent for one"),
  lastTimestamp: z.number().int().optional().describe("With count: when the last of those QR codes was shown, ms"),
};

export const ZStatusChangeSchema = z.object({
  status: ZSessionStatusSchema,
  timestamp: z.number().int().describe("Milliseconds since the epoch"),
  reason: z.string().nullable().describe("What caused the change: a library event, an error, an operator action"),
  ...ZFoldedQrFields,
});
export type TStatusChange = z.infer<typeof ZStatusChangeSchema>;

/** How many recent status changes a session keeps and reports. */
export const STATUS_HISTORY_LENGTH = 20;

/**
 * Whether `change` only refreshes the QR of the latest entry: SCAN_QR_CODE follows itself only when WhatsApp
 * rotates the code (about every 20 s while nobody scans). Such a change is folded into that entry, so QR
 * refreshes never push real transitions out of a history that keeps a fixed number of entries.
 */
export function isQrRefresh(latest: Pick<TStatusChange, "status"> | undefined, change: Pick<TStatusChange, "status">): boolean {
  return latest?.status === "SCAN_QR_CODE" && change.status === "SCAN_QR_CODE";
}

/**
 * `history` (oldest first) with `change` added: folded into the latest entry when it is a QR refresh (the
 * entry keeps its time and reason, counts the codes and notes the last one's time), else appended, keeping
 * the newest `keep` entries. Returns a new array.
 */
export function foldStatusChange(history: readonly TStatusChange[], change: TStatusChange, keep = STATUS_HISTORY_LENGTH): TStatusChange[] {
  const latest = history.at(-1);
  if (latest && isQrRefresh(latest, change)) {
    return [...history.slice(0, -1), { ...latest, count: (latest.count ?? 1) + 1, lastTimestamp: change.timestamp }];
  }
  return [...history, change].slice(-keep);
}
