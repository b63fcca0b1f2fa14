import { z } from "zod";
import { ZFoldedQrFields, ZSessionStatusSchema } from "./session-status";

/**
 * A session's health, beyond WAHA: what the liveness probe last saw, failures in a row, the restart
 * backoff, and the last fault and disconnect (which survive a server restart). docs/session-health.md
 * says what each part means for an operator.
 */

const ZMomentSchema = z.object({
  reason: z.string(),
  timestamp: z.number().int().describe("Milliseconds since the epoch"),
});

export const ZSessionProbeSchema = z
  .object({
    enabled: z.boolean().describe("Whether WORKING sessions are probed (SWITCHBOARD_HEALTH_INTERVAL_SECONDS > 0)"),
    intervalMs: z.number().int().describe("Time between two probes of a WORKING session"),
    lastAt: z.number().int().nullable().describe("When the last probe of this run started, ms; null before the first"),
    lastOkAt: z.number().int().nullable().describe("When a probe last found the session healthy, ms"),
    latencyMs: z.number().int().nullable().describe("How long the page took to answer the last probe; null when it did not answer"),
    state: z
      .string()
      .nullable()
      .describe("WhatsApp Web's own connection state at the last probe or change (CONNECTED, OPENING, TIMEOUT, ...)"),
    suspect: z
      .string()
      .nullable()
      .describe("A fault being watched right now, before it counts (a connection that is reconnecting, a page that did not answer)"),
  })
  .meta({ id: "SessionProbe" });
export type TSessionProbe = z.infer<typeof ZSessionProbeSchema>;

export const ZPresencePulseSchema = z
  .object({
    enabled: z
      .boolean()
      .describe(
        "Whether a WORKING session's account is marked online now and then (SWITCHBOARD_PRESENCE_PULSE_SECONDS > 0, WAHA_PRESENCE_AUTO_ONLINE)",
      ),
    intervalMs: z.number().int().describe("Time between two pulses"),
    onlineMs: z.number().int().describe("How long each pulse keeps the account online (WAHA_PRESENCE_AUTO_ONLINE_DURATION_SECONDS)"),
    lastAt: z.number().int().nullable().describe("When the last pulse of this run marked the account online, ms"),
  })
  .describe("The presence pulse that keeps a quiet linked device from being logged out (docs/session-health.md)")
  .meta({ id: "PresencePulse" });
export type TPresencePulse = z.infer<typeof ZPresencePulseSchema>;

export const ZSessionHealthSchema = z
  .object({
    probe: ZSessionProbeSchema,
    failures: z.number().int().describe("Failures in a row; back to 0 once the session has worked for a while, or on a start by hand"),
    maxFailures: z.number().int().describe("After this many failures in a row automatic restarts stop (0: never stop)"),
    gaveUp: z.boolean().describe("Automatic restarts stopped after maxFailures: the session stays FAILED until started by hand"),
    restart: z.object({
      backoffMs: z.number().int().describe("Delay of the pending automatic restart, or the one the next failure would get"),
      maxBackoffMs: z.number().int().describe("The ceiling of that delay"),
      at: z.number().int().nullable().describe("When the pending automatic restart runs, ms; null when none is pending"),
    }),
    lastFailure: ZMomentSchema.nullable().describe("The last fault that failed the session, kept across server restarts"),
    lastDisconnect: ZMomentSchema.nullable().describe(
      "The last time WhatsApp Web ended the connection (LOGOUT, CONFLICT, UNPAIRED, TIMEOUT, ...), kept across server restarts",
    ),
    pulse: ZPresencePulseSchema,
  })
  .meta({ id: "SessionHealth" });
export type TSessionHealth = z.infer<typeof ZSessionHealthSchema>;
export type TSessionHealthMoment = z.infer<typeof ZMomentSchema>;

/** One stored status change: the timeline that survives a server restart. */
export const ZSessionHistoryEntrySchema = z
  .object({
    id: z.string().describe("Ordered by time: a later entry has a greater id"),
    timestamp: z.number().int().describe("Milliseconds since the epoch"),
    status: ZSessionStatusSchema,
    reason: z.string().nullable(),
    failures: z.number().int().describe("Failures in a row at that moment"),
    disconnect: z.string().nullable().describe("WhatsApp Web's disconnect reason when it caused this change (LOGOUT, CONFLICT, ...)"),
    ...ZFoldedQrFields,
  })
  .meta({ id: "SessionHistoryEntry" });
export type TSessionHistoryEntry = z.infer<typeof ZSessionHistoryEntrySchema>;

export const HISTORY_PAGE_MAX = 500;

/** GET /api/sessions/{session}/history. */
export const ZSessionHistoryQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(HISTORY_PAGE_MAX).default(50).describe("Entries per page, newest first"),
  before: z.string().max(64).optional().describe("Only entries older than this id (the last id of the previous page)"),
});
export type TSessionHistoryQuery = z.infer<typeof ZSessionHistoryQuerySchema>;
