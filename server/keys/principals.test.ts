import { createHash } from "node:crypto";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ZApiKeyRequestSchema } from "@/lib/api-keys";
import { isAppError } from "@/lib/errors";
import { createTestDb, TEST_DIALECTS, type TestDb } from "@/test/support/test-db";
import { ensureSession, removeSession } from "../sessions/session-repository";
import { findApiKey } from "./api-key-rows";
import { createApiKey, deleteApiKey, listKeys, scopedApiKey, updateApiKey, type KeysContext } from "./manage-keys";
import { mayAct, PrincipalResolver, ROOT_PRINCIPAL } from "./principals";

const ROOT = "root-key-for-tests";
const root = { sha512Hex: createHash("sha512").update(ROOT).digest("hex") };
const request = (body: unknown) => ZApiKeyRequestSchema.parse(body);
const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return { status: error.statusCode, message: error.message, fields: error.details?.map((d) => d.field) };
};

describe.each(TEST_DIALECTS)("API keys on %s", (dialect) => {
  let testDb: TestDb;
  afterEach(() => testDb?.close());

  async function setUp(options: { now?: () => number } = {}) {
    testDb = await createTestDb(dialect);
    const { db } = testDb;
    await ensureSession(db, "sales", null);
    await ensureSession(db, "support", null);
    const ctx: KeysContext = { db, rootSecret: root.sha512Hex };
    const resolver = new PrincipalResolver({ db, root, logger: pino({ level: "silent" }), now: options.now });
    return { db, ctx, resolver };
  }

  it("resolves the root key, an admin key and a session key with its actions; nothing else", async () => {
    const { ctx, resolver } = await setUp();
    const admin = await createApiKey(ctx, request({ isAdmin: true, session: null }));
    const sales = await createApiKey(ctx, request({ session: "sales", actions: { read: true, control: true } }));
    expect(await resolver.resolve(ROOT)).toEqual(ROOT_PRINCIPAL);
    expect(await resolver.resolve(admin.key)).toEqual({ kind: "admin", keyId: admin.id });
    const principal = await resolver.resolve(sales.key);
    expect(principal).toEqual({
      kind: "session",
      keyId: sales.id,
      session: "sales",
      actions: { read: true, send: false, control: true, setting: false, app: false, delete: false },
    });
    expect(mayAct(principal!, "sales", "control")).toBe("yes");
    expect(mayAct(principal!, "sales", "delete")).toBe("missing-action");
    expect(mayAct(principal!, "support", "read")).toBe("other-session");
    for (const wrong of [null, "", `${sales.key}x`, sales.key.slice(0, -1), "key_unknown", "nope"])
      expect(await resolver.resolve(wrong)).toBeNull();
  });

  it("refuses a key once deactivated or deleted, and a session key once its session is deleted", async () => {
    const { db, ctx, resolver } = await setUp();
    const a = await createApiKey(ctx, request({ session: "sales" }));
    const b = await createApiKey(ctx, request({ session: "support" }));
    const c = await createApiKey(ctx, request({ isAdmin: true, session: null }));
    expect(await resolver.resolve(a.key)).not.toBeNull(); // now held in memory
    await updateApiKey(ctx, a.id, request({ session: "sales", isActive: false }));
    expect(await resolver.resolve(a.key)).toBeNull();
    await updateApiKey(ctx, a.id, request({ session: "sales", isActive: true }));
    expect(await resolver.resolve(a.key)).not.toBeNull();
    await deleteApiKey(ctx, c.id);
    expect(await resolver.resolve(c.key)).toBeNull();
    expect(await resolver.resolve(b.key)).not.toBeNull();
    await removeSession(db, "support");
    expect(await resolver.resolve(b.key)).toBeNull();
    expect(await findApiKey(db, b.id)).toBeNull();
  });

  it("stores only the hash: lists show the key masked, the create answer alone in full", async () => {
    const { db, ctx } = await setUp();
    const created = await createApiKey(ctx, request({ session: "sales" }));
    const stored = await findApiKey(db, created.id);
    expect(stored?.keyHash).toBe(createHash("sha256").update(created.key).digest("hex"));
    expect(JSON.stringify(await db.apiKey.findMany())).not.toContain(created.key.slice(12));
    const [listed] = await listKeys(ctx);
    expect(listed.key).toMatch(/^key_.{8}\*+$/);
    expect(listed.key.slice(0, 12)).toBe(created.key.slice(0, 12));
  });

  it("refuses bad input with 400 naming the field, and the root key with 403", async () => {
    const { ctx } = await setUp();
    expect(await rejection(createApiKey(ctx, request({ session: null })))).toMatchObject({ status: 400, fields: ["session"] });
    expect(await rejection(createApiKey(ctx, request({ session: "ghost" })))).toMatchObject({ status: 400, fields: ["session"] });
    expect(await rejection(createApiKey(ctx, request({ isAdmin: true, session: "sales" })))).toMatchObject({
      status: 400,
      fields: ["session"],
    });
    expect(ZApiKeyRequestSchema.safeParse({ session: "sales", actions: { fly: true } }).error?.issues[0].path).toEqual(["actions"]);
    expect(await rejection(deleteApiKey(ctx, "root"))).toMatchObject({ status: 403 });
    expect(await rejection(updateApiKey(ctx, "root", request({ isAdmin: true, session: null, isActive: false })))).toMatchObject({
      status: 403,
    });
    expect(await rejection(deleteApiKey(ctx, "key_id_missing"))).toMatchObject({ status: 404 });
  });

  it("creates a session's control key once and gets the same key after", async () => {
    const { ctx, resolver } = await setUp();
    const first = await scopedApiKey(ctx, "sales", "control");
    const again = await scopedApiKey(ctx, "sales", "control");
    expect(again).toMatchObject({ id: first.id, key: first.key });
    expect(first.actions).toEqual({ read: false, send: false, control: true, setting: false, app: false, delete: false });
    expect(await resolver.resolve(first.key)).toMatchObject({ kind: "session", session: "sales" });
    expect((await scopedApiKey(ctx, "sales", "media")).key).not.toBe(first.key);
    // Under a new root key the same row gives a new key, and the old one stops working.
    const rotated = await scopedApiKey({ ...ctx, rootSecret: "another-root" }, "sales", "control");
    expect(rotated.id).toBe(first.id);
    expect(rotated.key).not.toBe(first.key);
    expect(await resolver.resolve(first.key)).toBeNull();
    expect(await resolver.resolve(rotated.key)).not.toBeNull();
  });

  it("writes a key's last use at most once a minute, batched", async () => {
    let now = Date.parse("2026-12-01T10:00:00Z");
    const { db, ctx, resolver } = await setUp({ now: () => now });
    const key = await createApiKey(ctx, request({ session: "sales" }));
    for (let i = 0; i < 50; i++) await resolver.resolve(key.key);
    await resolver.flush();
    expect((await findApiKey(db, key.id))?.lastUsedAt?.toISOString()).toBe("2026-12-01T10:00:00.000Z");
    now += 30_000;
    await resolver.resolve(key.key);
    await resolver.flush();
    expect((await findApiKey(db, key.id))?.lastUsedAt?.toISOString()).toBe("2026-12-01T10:00:00.000Z");
    now += 31_000;
    await resolver.resolve(key.key);
    await resolver.flush();
    expect((await findApiKey(db, key.id))?.lastUsedAt?.toISOString()).toBe("2026-12-01T10:01:01.000Z");
  });
});
