import type { Logger } from "pino";
import { z } from "zod";
import { SESSION_ACTIONS, type TSessionAction, type TSessionActions } from "@/lib/api-keys";
import type { Db } from "../db";
import { apiKeyMatches, type ApiKeyCheck } from "../http/api-key";
import { activeKeysByPrefix, recordKeysUsed } from "./api-key-rows";
import { KEY_PREFIX, keyMatchesHash, keyPrefixOf } from "./key-secret";

/**
 * Who a request acts as. `admin`: WAHA_API_KEY (the root, `keyId` null), an admin key, or the dashboard's
 * login. `session`: a session key, which sees only its session and may do only its actions on it.
 */
export type Principal =
  { kind: "admin"; keyId: string | null } | { kind: "session"; keyId: string; session: string; actions: TSessionActions };

export const ROOT_PRINCIPAL: Principal = Object.freeze({ kind: "admin", keyId: null });

/** A principal as a forwarding worker writes it into its signed hop header (server/cluster/session-router.ts). */
const ZPrincipalSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("admin"), keyId: z.string().nullable() }),
  z.strictObject({
    kind: z.literal("session"),
    keyId: z.string(),
    session: z.string(),
    actions: z.strictObject(
      Object.fromEntries(SESSION_ACTIONS.map((action) => [action, z.boolean()])) as Record<TSessionAction, z.ZodBoolean>,
    ),
  }),
]);

export function encodePrincipal(principal: Principal): string {
  return Buffer.from(JSON.stringify(principal)).toString("base64url");
}

/** null when `encoded` is not a principal. */
export function decodePrincipal(encoded: string): Principal | null {
  try {
    const parsed = ZPrincipalSchema.safeParse(JSON.parse(Buffer.from(encoded, "base64url").toString()));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function mayAct(principal: Principal, session: string, action: TSessionAction): "yes" | "other-session" | "missing-action" {
  if (principal.kind === "admin") return "yes";
  if (principal.session !== session) return "other-session";
  return principal.actions[action] ? "yes" : "missing-action";
}

/** How often, at most, each key's lastUsedAt is written. */
export const LAST_USED_INTERVAL_MS = 60_000;

/**
 * The one place a presented key becomes a principal: the root key (a SHA-512 compare, as before), else
 * the ApiKey row with the key's visible prefix whose hash matches (constant time), if it is active. Rows
 * are held in memory until a key is written (here, or on any worker: server/cluster/signals.ts). Each use
 * is noted in memory and written at most once a minute per key.
 */
export class PrincipalResolver {
  private readonly pendingUse = new Map<string, Date>();
  private readonly lastWritten = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      db: Db;
      root: ApiKeyCheck;
      logger: Pick<Logger, "warn">;
      now?: () => number;
      lastUsedIntervalMs?: number;
    },
  ) {}

  /** The root key's check (the one-action keys are derived under it). */
  get root(): ApiKeyCheck {
    return this.options.root;
  }

  async resolve(presented: string | null): Promise<Principal | null> {
    // WAHA_NO_API_KEY: every request acts as the root.
    if (this.options.root === null) return ROOT_PRINCIPAL;
    if (!presented) return null;
    if (apiKeyMatches(presented, this.options.root)) return ROOT_PRINCIPAL;
    if (!presented.startsWith(KEY_PREFIX)) return null;
    const candidates = (await activeKeysByPrefix(this.options.db)).get(keyPrefixOf(presented)) ?? [];
    const key = candidates.find((candidate) => keyMatchesHash(presented, candidate.keyHash));
    if (!key) return null;
    this.noteUse(key.id);
    if (key.isAdmin) return { kind: "admin", keyId: key.id };
    // A session key always has both (manage-keys.ts); a row without them is refused, never taken for an admin.
    if (key.session === null || key.actions === null) return null;
    return { kind: "session", keyId: key.id, session: key.session, actions: key.actions };
  }

  /** Writes what is noted now (shutdown, tests). */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = new Map(this.pendingUse);
    this.pendingUse.clear();
    this.flushing = this.flushing
      .then(() => recordKeysUsed(this.options.db, batch))
      .catch((error: unknown) => this.options.logger.warn({ err: error }, "writing the API keys' last use failed"));
    await this.flushing;
  }

  private noteUse(id: string): void {
    const now = this.now();
    const interval = this.options.lastUsedIntervalMs ?? LAST_USED_INTERVAL_MS;
    if (now - (this.lastWritten.get(id) ?? -Infinity) < interval) return;
    this.lastWritten.set(id, now);
    this.pendingUse.set(id, new Date(now));
    // One write for every key first used within a second of each other.
    this.flushTimer ??= setTimeout(() => void this.flush(), 1000).unref();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
