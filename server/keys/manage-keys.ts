import { wholeActions, type TApiKey, type TApiKeyRequest, type TSessionActions } from "@/lib/api-keys";
import { AppError } from "@/lib/errors";
import type { Db } from "../db";
import type { AuthState } from "../http/authorize";
import { recall } from "../remember";
import { SESSIONS_CONTEXT_KEY, type SessionsContext } from "../sessions/context";
import { findStoredSession } from "../sessions/session-repository";
import {
  deleteApiKey as deleteRow,
  findScopedKey,
  insertApiKey,
  listApiKeys,
  rehashApiKey,
  updateApiKey as updateRow,
  type ApiKeyFields,
  type StoredApiKey,
  type TKeyScope,
} from "./api-key-rows";
import { deriveScopedKey, generateKey, generateKeyId, hashKey, keyPrefixOf, maskKey } from "./key-secret";

/** The Keys API's verbs (docs/api.md, "API keys"): WAHA's contract, keys stored hashed. */
export interface KeysContext {
  db: Db;
  /** The root key's hash, under which the one-action keys are derived ("" without a root key). */
  rootSecret: string;
}

export function keysContext(): KeysContext {
  return {
    db: recall<SessionsContext>(SESSIONS_CONTEXT_KEY).db,
    rootSecret: recall<AuthState>("auth").keys.root?.sha512Hex ?? "",
  };
}

/** `DELETE`/`PUT /api/keys/root`: WAHA_API_KEY is no row, and it is refused by name rather than "not found". */
export const ROOT_KEY_ID = "root";

export async function createApiKey(ctx: KeysContext, request: TApiKeyRequest): Promise<TApiKey> {
  const fields = await checkedFields(ctx, request);
  const key = generateKey();
  const stored = await insertApiKey(ctx.db, {
    ...fields,
    id: generateKeyId(),
    keyHash: hashKey(key),
    keyPrefix: keyPrefixOf(key),
    scope: null,
  });
  // The only answer that carries the key: only its hash is kept.
  return toApiKey(stored, key);
}

export async function listKeys(ctx: KeysContext): Promise<TApiKey[]> {
  return (await listApiKeys(ctx.db)).map((stored) => toApiKey(stored));
}

export async function updateApiKey(ctx: KeysContext, id: string, request: TApiKeyRequest): Promise<TApiKey> {
  refuseRoot(id, "changed");
  const fields = await checkedFields(ctx, request);
  const stored = await updateRow(ctx.db, id, fields);
  if (!stored) throw keyNotFound(id);
  return toApiKey(stored);
}

export async function deleteApiKey(ctx: KeysContext, id: string): Promise<void> {
  refuseRoot(id, "deleted");
  if (!(await deleteRow(ctx.db, id))) throw keyNotFound(id);
}

/**
 * POST /api/keys/control and /media: the session's one-action key, created on the first call and the same
 * key on every later one (derived from its id, so it can be handed out again though only its hash is kept).
 * A control key may start, stop, restart, log out and pair its session (and so open its QR link); a media
 * key may do nothing else Switchboard serves yet (it has no media routes).
 */
export async function scopedApiKey(ctx: KeysContext, session: string, scope: TKeyScope): Promise<TApiKey> {
  await requireSession(ctx, session);
  const existing = await findScopedKey(ctx.db, session, scope);
  if (existing) {
    const key = deriveScopedKey(ctx.rootSecret, existing.id);
    // A new root key derives a new key: the row follows, and the old key stops working.
    if (hashKey(key) !== existing.keyHash) await rehashApiKey(ctx.db, existing.id, hashKey(key), keyPrefixOf(key));
    return toApiKey({ ...existing, keyPrefix: keyPrefixOf(key) }, key);
  }
  const id = generateKeyId();
  const key = deriveScopedKey(ctx.rootSecret, id);
  const actions: TSessionActions = { ...wholeActions({}), control: scope === "control" };
  const stored = await insertApiKey(ctx.db, {
    id,
    keyHash: hashKey(key),
    keyPrefix: keyPrefixOf(key),
    isAdmin: false,
    session,
    isActive: true,
    actions,
    scope,
  });
  return toApiKey(stored, key);
}

/** What a request stores, or 400 naming the field: a session key needs an existing session; an admin key has none. */
async function checkedFields(ctx: KeysContext, request: TApiKeyRequest): Promise<ApiKeyFields> {
  if (request.isAdmin) {
    if (request.session !== null) throw fieldError("session", "an admin key is not limited to a session: send null");
    return { isAdmin: true, session: null, isActive: request.isActive, actions: null };
  }
  if (request.session === null) throw fieldError("session", "a key that is not an admin key needs a session");
  await requireSession(ctx, request.session);
  return { isAdmin: false, session: request.session, isActive: request.isActive, actions: wholeActions(request.actions) };
}

async function requireSession(ctx: KeysContext, session: string): Promise<void> {
  if (!(await findStoredSession(ctx.db, session))) throw fieldError("session", `Session '${session}' does not exist`);
}

function toApiKey(stored: StoredApiKey, key?: string): TApiKey {
  return {
    id: stored.id,
    key: key ?? maskKey(stored.keyPrefix),
    isActive: stored.isActive,
    isAdmin: stored.isAdmin,
    session: stored.session,
    actions: stored.actions,
    lastUsedAt: stored.lastUsedAt?.toISOString() ?? null,
    createdAt: stored.createdAt.toISOString(),
  };
}

function refuseRoot(id: string, verb: string): void {
  if (id === ROOT_KEY_ID) throw new AppError("forbidden", `The root key (WAHA_API_KEY) cannot be ${verb} through the API`);
}

function keyNotFound(id: string): AppError {
  return new AppError("not_found", `API key '${id}' not found`);
}

function fieldError(field: string, message: string): AppError {
  return new AppError("validation_failed", `${field}: ${message}`, { details: [{ field, message }] });
}
