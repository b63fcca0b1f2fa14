import { z } from "zod";

/**
 * WhatsApp's account restrictions, in WAHA 2026.8's shapes: the reachout timelock (messages to new
 * contacts are refused until it ends, "error 463") and the new-chat message capping (a quota of new
 * chats per cycle). Neither is a fault: the session stays WORKING, and a change re-issues WORKING with
 * `data` (docs/session-health.md, "Restrictions"). What WhatsApp Web stores in the page is read by
 * server/engines/webjs/page-state.ts and turned into these shapes here, so the rules are pure.
 */

export const ZReachoutTimelockSchema = z
  .object({
    enforcementType: z
      .string()
      .describe("WhatsApp's enforcement type (DEFAULT, RESTRICT_ALL_COMPANIONS, WEB_COMPANION_ONLY, ...); informational, an open set"),
    isActive: z.boolean().describe("Whether messages to new contacts are refused right now"),
    timeEnforcementEnds: z.number().int().nullable().describe("Unix timestamp (seconds) when the enforcement ends"),
  })
  .meta({ id: "ReachoutTimelockData" });
export type TReachoutTimelock = z.infer<typeof ZReachoutTimelockSchema>;

export const ZMessageCappingSchema = z
  .object({
    cappingStatus: z
      .string()
      .describe(
        "How close the account is to its new-chat quota: NONE, FIRST_WARNING, SECOND_WARNING, CAPPED (new chats blocked); an open set",
      ),
    totalQuota: z.number().int().describe("New-chat messages allowed in the current cycle; -1 when the account has no cap"),
    usedQuota: z.number().int().describe("New-chat messages already used in the current cycle"),
    cycleStart: z.number().int().nullable().describe("Unix timestamp (seconds) when the current cycle started"),
    cycleEnd: z.number().int().nullable().describe("Unix timestamp (seconds) when the current cycle ends"),
    mvStatus: z.string().nullable().describe("Meta Verified status; informational"),
    oteStatus: z.string().nullable().describe("One-time engagement status; informational"),
  })
  .meta({ id: "MessageCappingData" });
export type TMessageCapping = z.infer<typeof ZMessageCappingSchema>;

/** `payload.data` of a `session.status` event: what belongs to the status, null when there is nothing to say. */
export const ZSessionStatusDataSchema = z
  .object({
    reachoutTimelock: ZReachoutTimelockSchema.nullable().optional(),
    messageCapping: ZMessageCappingSchema.nullable().optional(),
  })
  .meta({ id: "SessionStatusData" });
export type TSessionStatusData = z.infer<typeof ZSessionStatusDataSchema>;

/** What a session reports about its restrictions: null until something worth saying was seen. */
export interface TAccountRestrictions {
  reachoutTimelock: TReachoutTimelock | null;
  messageCapping: TMessageCapping | null;
}

export const NO_RESTRICTIONS: TAccountRestrictions = { reachoutTimelock: null, messageCapping: null };

/** The answer when WhatsApp Web stores no timelock: none is enforced. */
export const NO_TIMELOCK: TReachoutTimelock = { enforcementType: "DEFAULT", isActive: false, timeEnforcementEnds: null };

/** The answer when WhatsApp Web stores no capping: no cap. */
export const NO_CAPPING: TMessageCapping = {
  cappingStatus: "NONE",
  totalQuota: -1,
  usedQuota: 0,
  cycleStart: null,
  cycleEnd: null,
  mvStatus: null,
  oteStatus: null,
};

// ---------- from what WhatsApp Web stores ----------

/**
 * WhatsApp Web keeps an enforced timelock in its user preferences as
 * `{ state, time_enforcement_ends: <ms>, enforcement_type }` and removes the entry when the timelock is
 * lifted; an entry whose end has passed is no longer enforced.
 */
export function timelockFromPage(entry: unknown, nowMs: number): TReachoutTimelock {
  if (!isRecord(entry)) return NO_TIMELOCK;
  const ends = toSeconds(entry.time_enforcement_ends);
  const type = typeof entry.enforcement_type === "string" && entry.enforcement_type !== "" ? entry.enforcement_type : "DEFAULT";
  return { enforcementType: type, isActive: ends === null || ends * 1000 > nowMs, timeEnforcementEnds: ends };
}

/**
 * WhatsApp Web keeps the last fetched capping in its user preferences with the server's field names
 * (`capping_status`, `total_quota`, `used_quota`, `cycle_start_timestamp`, ...); nothing stored means no cap.
 */
export function cappingFromPage(entry: unknown): TMessageCapping {
  if (!isRecord(entry)) return NO_CAPPING;
  const status = typeof entry.capping_status === "string" && entry.capping_status !== "" ? entry.capping_status : "NONE";
  return {
    cappingStatus: status,
    totalQuota: toInteger(entry.total_quota) ?? -1,
    usedQuota: toInteger(entry.used_quota) ?? 0,
    cycleStart: toSeconds(entry.cycle_start_timestamp),
    cycleEnd: toSeconds(entry.cycle_end_timestamp),
    mvStatus: typeof entry.mv_status === "string" ? entry.mv_status : null,
    oteStatus: typeof entry.ote_status === "string" ? entry.ote_status : null,
  };
}

/** Unix seconds from seconds or milliseconds (numbers or numeric strings); null for nothing, 0 or garbage. */
export function toSeconds(value: unknown): number | null {
  const number = toInteger(value);
  if (number === null || number <= 0) return null;
  // Anything past 10^12 is milliseconds (10^12 seconds is the year 33658).
  return number >= 1e12 ? Math.floor(number / 1000) : number;
}

// ---------- what the session reports ----------

/**
 * The timelock to report after a fresh reading. Nothing changes for a reading equal to the last, nor for
 * an inactive reading when none was ever active or the last one already ended (WhatsApp removing an
 * ended entry is no news); anything else replaces it.
 */
export function nextTimelock(current: TReachoutTimelock | null, reading: TReachoutTimelock): TReachoutTimelock | null {
  if (!reading.isActive && (current === null || !current.isActive)) return current;
  return sameTimelock(current, reading) ? current : reading;
}

/** The reported timelock once its end has passed: the same one, no longer active. Unchanged otherwise. */
export function expireTimelock(current: TReachoutTimelock | null, nowMs: number): TReachoutTimelock | null {
  if (!current?.isActive || current.timeEnforcementEnds === null || current.timeEnforcementEnds * 1000 > nowMs) return current;
  return { ...current, isActive: false };
}

/** The capping to report after a fresh reading: no news while it is NONE and nothing else was ever seen. */
export function nextCapping(current: TMessageCapping | null, reading: TMessageCapping): TMessageCapping | null {
  if (current === null && !cappingNoteworthy(reading)) return null;
  return sameCapping(current, reading) ? current : reading;
}

/** Whether a capping says anything: a warning or a cap. */
export function cappingNoteworthy(capping: TMessageCapping | null): boolean {
  return capping !== null && capping.cappingStatus !== "NONE";
}

/**
 * `data` of a plain WORKING status (a login, a reconnect): the restrictions in force, as WAHA carries
 * them, or null when there are none.
 */
export function carriedStatusData(restrictions: TAccountRestrictions): TSessionStatusData | null {
  const data: TSessionStatusData = {};
  if (restrictions.reachoutTimelock?.isActive) data.reachoutTimelock = restrictions.reachoutTimelock;
  if (cappingNoteworthy(restrictions.messageCapping)) data.messageCapping = restrictions.messageCapping;
  return Object.keys(data).length > 0 ? data : null;
}

/** The reason of a WORKING re-issued for a timelock change. */
export function describeTimelock(timelock: TReachoutTimelock | null): string {
  if (timelock && !timelock.isActive && timelock.timeEnforcementEnds !== null) {
    return `reachout timelock ended at ${isoTime(timelock.timeEnforcementEnds)}: messages to new contacts are allowed again`;
  }
  if (!timelock?.isActive) return "reachout timelock lifted: messages to new contacts are allowed again";
  const until = timelock.timeEnforcementEnds === null ? "until WhatsApp lifts it" : `until ${isoTime(timelock.timeEnforcementEnds)}`;
  return `reachout timelock: messages to new contacts are refused ${until} (${timelock.enforcementType})`;
}

/** The reason of a WORKING re-issued for a capping change. */
export function describeCapping(capping: TMessageCapping | null): string {
  if (!cappingNoteworthy(capping)) return "new-chat message capping: no cap or warning";
  const quota = capping!.totalQuota >= 0 ? ` (${capping!.usedQuota} of ${capping!.totalQuota} new chats used)` : "";
  const until = capping!.cycleEnd === null ? "" : `, cycle ends ${isoTime(capping!.cycleEnd)}`;
  const blocked = capping!.cappingStatus === "CAPPED" ? ": new chats are blocked" : "";
  return `new-chat message capping ${capping!.cappingStatus}${blocked}${quota}${until}`;
}

/** Whether two `data` of a WORKING say the same (WAHA drops a WORKING that repeats the last one's data). */
export function sameStatusData(a: TSessionStatusData | null, b: TSessionStatusData | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    sameTimelock(a.reachoutTimelock ?? null, b.reachoutTimelock ?? null) && sameCapping(a.messageCapping ?? null, b.messageCapping ?? null)
  );
}

function sameTimelock(a: TReachoutTimelock | null, b: TReachoutTimelock | null): boolean {
  return (
    a === b ||
    (a !== null &&
      b !== null &&
      a.enforcementType === b.enforcementType &&
      a.isActive === b.isActive &&
      a.timeEnforcementEnds === b.timeEnforcementEnds)
  );
}

function sameCapping(a: TMessageCapping | null, b: TMessageCapping | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return (Object.keys(NO_CAPPING) as (keyof TMessageCapping)[]).every((key) => a[key] === b[key]);
}

function toInteger(value: unknown): number | null {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) ? Math.trunc(number) : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}
