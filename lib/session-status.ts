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

export const ZStatusChangeSchema = z.object({
  status: ZSessionStatusSchema,
  timestamp: z.number().int().describe("Milliseconds since the epoch"),
  reason: z.string().nullable().describe("What caused the change: a library event, an error, an operator action"),
});
export type TStatusChange = z.infer<typeof ZStatusChangeSchema>;

/** How many recent status changes a session keeps and reports. */
export const STATUS_HISTORY_LENGTH = 20;
