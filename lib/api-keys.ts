import { z } from "zod";
import { ZSessionNameSchema } from "./session";

/**
 * WAHA's Keys API (docs/api.md, "API keys"): admin keys, and keys for one session limited to a set of
 * actions. WAHA_API_KEY stays the root admin key and is never one of these.
 */

export const SESSION_ACTIONS = ["read", "send", "control", "setting", "app", "delete"] as const;
export type TSessionAction = (typeof SESSION_ACTIONS)[number];

/** What a session key may do on its session. Unknown actions are refused (400 naming the field). */
export const ZSessionActionsSchema = z
  .strictObject({
    read: z.boolean().optional().describe("Read session data (the session, its history, QR, deliveries)"),
    send: z.boolean().optional().describe("Send messages and manage session entities"),
    control: z.boolean().optional().describe("Session lifecycle: start, stop, restart, logout, authenticate"),
    setting: z.boolean().optional().describe("Session config: update session settings, webhooks"),
    app: z.boolean().optional().describe("Manage apps"),
    delete: z.boolean().optional().describe("Delete the session"),
  })
  .meta({ id: "SessionActionsDTO" });
export type TSessionActions = Record<TSessionAction, boolean>;

export const ZApiKeyRequestSchema = z
  .object({
    isAdmin: z.boolean().default(false),
    session: ZSessionNameSchema.nullable().default(null),
    isActive: z.boolean().default(true),
    actions: ZSessionActionsSchema.nullable().default(null),
  })
  .meta({ id: "ApiKeyRequest" });
export type TApiKeyRequest = z.infer<typeof ZApiKeyRequestSchema>;

export const ZScopedApiKeyRequestSchema = z.object({ session: ZSessionNameSchema }).meta({ id: "ScopedApiKeyRequest" });

export const ZApiKeySchema = z
  .object({
    id: z.string().meta({ example: "key_id_7f3k2m9q4w8e1r6t5y0u3i2o" }),
    /** The whole key in the answer that created it (and from the one-action routes); masked everywhere else. */
    key: z.string().meta({ example: "key_Xb3d9QeL************************" }),
    isActive: z.boolean(),
    isAdmin: z.boolean(),
    session: z.string().nullable(),
    actions: ZSessionActionsSchema.nullable(),
    /** Switchboard's addition: when the key was last used (written at most once a minute), null if never. */
    lastUsedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: "ApiKeyDTO" });
export type TApiKey = z.infer<typeof ZApiKeySchema>;

export const ZApiKeyListSchema = z.array(ZApiKeySchema).meta({ id: "ApiKeyList" });

/** Every action allowed: a session key created without `actions`. */
export function allActions(): TSessionActions {
  return Object.fromEntries(SESSION_ACTIONS.map((action) => [action, true])) as TSessionActions;
}

/** Actions as sent (missing ones are not allowed) made whole; null (none sent) allows every action. */
export function wholeActions(actions: z.infer<typeof ZSessionActionsSchema> | null): TSessionActions {
  if (actions === null) return allActions();
  return Object.fromEntries(SESSION_ACTIONS.map((action) => [action, actions[action] === true])) as TSessionActions;
}
