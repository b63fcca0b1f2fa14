import { z } from "zod";
import { ulidFactory } from "@/lib/ulid";
import { ZMessageCappingSchema, ZReachoutTimelockSchema } from "./account-restrictions";
import { ZSessionConfigSchema } from "./session-config";
import { ZSessionHealthSchema } from "./session-health";
import { ZSessionStatusSchema, ZStatusChangeSchema } from "./session-status";

/** WAHA: 1 to 54 characters (64 minus len("waha_noweb")) of letters, digits, `_` and `-`. */
export const SESSION_NAME_MAX = 54;
export const ZSessionNameSchema = z
  .string()
  .min(1, "must not be empty")
  .max(SESSION_NAME_MAX, `must be at most ${SESSION_NAME_MAX} characters`)
  .regex(/^[a-zA-Z0-9_-]+$/, "may contain only letters, digits, _ and -")
  .describe("Session name, used as its id")
  .meta({ example: "default" });

/**
 * Names the dashboard's own pages take under /sessions/ (`app/(dashboard)/sessions/new/page.tsx`): a session
 * of that name could not be opened there, so a new session may not take one (existing ones keep working).
 */
export const RESERVED_SESSION_NAMES: readonly string[] = ["new"];

/** The name of a session about to be stored: a session name that no dashboard page takes. */
export const ZNewSessionNameSchema = ZSessionNameSchema.refine((name) => !RESERVED_SESSION_NAMES.includes(name), {
  error: (issue) => `is reserved: /sessions/${String(issue.input)} is a page of the dashboard; choose another name`,
});

const ulid = ulidFactory();

/** `session_` + lower-case ULID, as WAHA generates. */
export function generateSessionName(): string {
  return `session_${ulid().toLowerCase()}`;
}

export const ZSessionCreateRequestSchema = z
  .object({
    // WAHA treats "" like a missing name: one is generated.
    name: z.union([ZNewSessionNameSchema, z.literal("")]).optional(),
    config: ZSessionConfigSchema.nullish(),
    start: z.boolean().default(true).describe("Start right after creating (default true); false creates it STOPPED"),
  })
  .meta({ id: "SessionCreateRequest" });
export type TSessionCreateRequest = z.infer<typeof ZSessionCreateRequestSchema>;

export const ZSessionUpdateRequestSchema = z
  .object({
    config: ZSessionConfigSchema.nullish().describe("The whole new config; it replaces the stored one"),
  })
  .meta({ id: "SessionUpdateRequest" });

export const ZSessionStartRequestSchema = z
  .object({ name: ZNewSessionNameSchema, config: ZSessionConfigSchema.nullish() })
  .meta({ id: "SessionStartDeprecatedRequest" });

export const ZSessionStopRequestSchema = z
  .object({
    name: ZSessionNameSchema,
    logout: z.boolean().default(false).describe("Also log out and delete the session"),
  })
  .meta({ id: "SessionStopDeprecatedRequest" });

export const ZSessionLogoutRequestSchema = z.object({ name: ZSessionNameSchema }).meta({ id: "SessionLogoutDeprecatedRequest" });

export const ZSessionDtoSchema = z
  .object({ name: z.string(), status: ZSessionStatusSchema, config: ZSessionConfigSchema })
  .meta({ id: "SessionDTO" });
export type TSessionDto = z.infer<typeof ZSessionDtoSchema>;

export const ZPairingCodeRequestSchema = z
  .object({
    phoneNumber: z
      .string()
      .transform((v) => v.replace(/[\s+()-]/g, ""))
      .pipe(z.string().regex(/^\d{6,15}$/, "must be an international phone number, digits only")),
    method: z.enum(["sms", "voice"]).nullish().describe("Ignored by WEBJS"),
  })
  .meta({ id: "RequestCodeRequest" });

/** The pairing code to type on the phone, in WAHA's `ABCD-EFGH` form. */
export const ZPairingCodeSchema = z.object({ code: z.string().meta({ examples: ["ABCD-EFGH"] }) }).meta({ id: "PairingCode" });
export type TPairingCode = z.infer<typeof ZPairingCodeSchema>;

export const ZQrQuerySchema = z.object({
  format: z.enum(["image", "raw"]).default("image").describe("image: PNG (or base64 JSON); raw: the value to render yourself"),
});

/** `GET /api/{session}/auth/qr?format=raw`: the value the QR encodes. */
export const ZQrValueSchema = z.object({ value: z.string() }).meta({ id: "QRCodeValue" });
export type TQrValue = z.infer<typeof ZQrValueSchema>;

/** An image as JSON (with `Accept: application/json`), as WAHA answers. */
export const ZBase64FileSchema = z.object({ mimetype: z.string(), data: z.base64() }).meta({ id: "Base64File" });
export type TBase64File = z.infer<typeof ZBase64FileSchema>;

/**
 * The account a session is logged in as (WAHA's MeInfo), read from WhatsApp Web in the page. `lid` and
 * `jid` are left out while unknown. The restrictions are present while the session runs: null until one
 * was seen (docs/session-health.md, "Restrictions").
 */
export const ZMeSchema = z
  .object({
    id: z.string().describe("Account id, e.g. 11111111111@c.us"),
    lid: z.string().optional().describe("The account's LID, e.g. 123123@lid"),
    jid: z.string().optional().describe("The account with this linked device's number, e.g. 123123:12@s.whatsapp.net"),
    pushName: z.string().nullable(),
    reachoutTimelock: ZReachoutTimelockSchema.nullable()
      .optional()
      .describe("The reachout timelock (messages to new contacts refused); null if none was seen"),
    messageCapping: ZMessageCappingSchema.nullable()
      .optional()
      .describe("The new-chat message capping (per-cycle quota); null until a warning or a cap was seen"),
  })
  .meta({ id: "MeInfo" });
export type TMe = z.infer<typeof ZMeSchema>;

/** The account as stored and as the engine reads it: the restrictions are tracked apart. */
export type TAccount = Pick<TMe, "id" | "lid" | "jid" | "pushName">;

/** The account's own presence as WhatsApp Web has it. */
export const ZPresenceSchema = z.enum(["online", "offline"]);
export type TPresence = z.infer<typeof ZPresenceSchema>;

/** A session's saved login in cluster mode (docs/cluster.md, "Portable sessions"): its figures, never its bytes. */
export const ZLoginSnapshotInfoSchema = z
  .object({
    generation: z.number().int().describe("Saves of this login so far"),
    size: z.number().int().describe("Bytes stored (compressed)"),
    files: z.number().int().describe("Files of the profile's login data"),
    savedBy: z.string().describe("The worker that saved it"),
    savedAt: z.number().describe("When it was saved, ms"),
    saveMs: z.number().int().describe("How long the save took: packing and writing"),
    restoredAt: z.number().nullable().describe("The last restore of this login on a worker, ms"),
    restoredBy: z.string().nullable().describe("The worker that restored it"),
    restoreMs: z.number().int().nullable().describe("How long that restore took"),
  })
  .meta({ id: "LoginSnapshotInfo" });
export type TLoginSnapshotInfo = z.infer<typeof ZLoginSnapshotInfoSchema>;

/** A session's browser as last sampled (docs/observability.md): memory summed over its processes, CPU over the interval. */
export const ZSessionResourcesSchema = z
  .object({
    memory: z.object({
      rss: z.number().int().describe("Resident set size, bytes (shared pages counted in every process)"),
      pss: z.number().int().describe("Proportional set size, bytes (shared pages split between their users): what sorting by memory uses"),
    }),
    cpu: z.number().nullable().describe("CPU over the last sampling interval, percent of one core; null on the first sample"),
    processes: z.number().int().describe("The browser's processes"),
    sampledAt: z.number().describe("When it was sampled, ms"),
  })
  .meta({ id: "SessionResources" });
export type TSessionResources = z.infer<typeof ZSessionResourcesSchema>;

/** GET /api/sessions/{session}/resources: the last hour of samples, oldest first. */
export const ZSessionResourceHistorySchema = z
  .object({
    session: z.string(),
    intervalSeconds: z.number().describe("Time between samples"),
    samples: z.array(
      z.object({
        timestamp: z.number().describe("ms"),
        memory: z.object({ rss: z.number().int(), pss: z.number().int() }).describe("bytes"),
        cpu: z.number().nullable().describe("percent of one core over the interval before this sample"),
        eventsPerMinute: z.number().describe("The session's library events per minute over the interval before this sample"),
      }),
    ),
  })
  .meta({ id: "SessionResourceHistory" });
export type TSessionResourceHistory = z.infer<typeof ZSessionResourceHistorySchema>;

export const ZSessionSchema = z
  .object({
    name: z.string(),
    status: ZSessionStatusSchema,
    config: ZSessionConfigSchema,
    me: ZMeSchema.nullable(),
    engine: z
      .object({
        engine: z.literal("WEBJS"),
        WWebVersion: z.string().nullable().optional().describe("The WhatsApp Web version the session's page runs"),
      })
      .catchall(z.unknown()),
    presence: ZPresenceSchema.nullable().describe("The account's presence as WhatsApp Web has it, while the session is WORKING"),
    timestamps: z.object({ activity: z.number().nullable().describe("Last API activity, ms") }),
    statuses: z.array(ZStatusChangeSchema).describe("Recent status changes with their reasons, oldest first"),
    assignedWorker: z.string().nullable(),
    health: ZSessionHealthSchema.describe("Liveness probe, failures in a row, restart backoff, last fault and disconnect (beyond WAHA)"),
    resources: ZSessionResourcesSchema.nullable().describe(
      "The browser's memory and CPU as last sampled; null while the session has no browser or before its first sample (beyond WAHA)",
    ),
    webhookTrouble: z
      .object({
        retrying: z.number().int().describe("Deliveries waiting for a retry after a failed attempt (an open circuit holds them too)"),
        dead: z.number().int().describe("Deliveries that died (retries exhausted or refused) within the last hour"),
      })
      .nullable()
      .optional()
      .describe("GET /api/sessions only: the session's failing webhook deliveries, null when none (beyond WAHA)"),
    login: ZLoginSnapshotInfoSchema.nullable()
      .optional()
      .describe("Cluster mode, one session's response only: its saved login, null when none is saved (beyond WAHA)"),
  })
  .meta({ id: "SessionInfo" });
export type TSession = z.infer<typeof ZSessionSchema>;

/** Query booleans as WAHA parses them: true/True/1 and false/False/0; anything else is an error. */
export const ZQueryBooleanSchema = z
  .enum(["true", "True", "1", "false", "False", "0"], { error: "must be a boolean (true, false, 1 or 0)" })
  .transform((v) => v === "true" || v === "True" || v === "1");

/** GET /api/sessions/{session}. */
export const ZSessionGetQuerySchema = z.object({
  revealSecrets: ZQueryBooleanSchema.optional().describe(
    'Return config secrets (webhook HMAC keys, custom header values, the proxy password) in clear instead of "[redacted]"',
  ),
});

export const LIST_LIMIT_MAX = 1000;

/** GET /api/sessions: WAHA's `all`, plus server-side search and pagination. */
export const ZSessionListQuerySchema = z.object({
  all: ZQueryBooleanSchema.optional().describe("Include STOPPED sessions"),
  status: z
    .preprocess((v) => (typeof v === "string" ? v.split(",") : v), z.array(ZSessionStatusSchema))
    .optional()
    .describe("Only these statuses (comma-separated or repeated)"),
  q: z
    .string()
    .max(200)
    .optional()
    .describe("Free text over name, phone, push name and metadata values; a phone number matches by its digits, however it is written"),
  metadata: z
    .record(z.string(), z.string())
    .optional()
    .describe("Exact metadata matches: ?metadata.<key>=<value>, repeatable, all must match"),
  sortBy: z
    .enum(["name", "memory", "status", "activity"], { error: 'must be "name", "memory", "status" or "activity"' })
    .optional()
    .describe(
      "name (default); memory: the browser's PSS, largest first, sessions without a browser last; status: FAILED, SCAN_QR_CODE, STARTING, WORKING, STOPPED; activity: the latest timestamps.activity first",
    ),
  limit: z.coerce.number().int().min(1).max(LIST_LIMIT_MAX).optional(),
  offset: z.coerce.number().int().min(0).default(0),
});
export type TSessionListQuery = z.infer<typeof ZSessionListQuerySchema>;

export const TOTAL_COUNT_HEADER = "X-Total-Count";
