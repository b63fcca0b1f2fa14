import { testHostOptions } from "@/test/support/test-host";
import pino from "pino";
import { EngineHost } from "@/server/engines/engine-host";
import type { DbProvider } from "@/server/db-url";
import { parseEnv } from "@/server/env";
import type { SessionsContext } from "@/server/sessions/context";
import { FakeClock } from "./fake-clock";
import { FakeEngineFactory } from "@/server/engines/fake/fake-engine";
import { createTestDb, type TestDb } from "./test-db";
import { TEST_ENVIRONMENT } from "./environment";

export interface TestSessionsContext {
  ctx: SessionsContext;
  factory: FakeEngineFactory;
  clock: FakeClock;
  close(): Promise<void>;
}

/**
 * The session services' context for unit tests: a real database (SQLite unless `dialect` says) with every migration, a real
 * EngineHost on the fake engine and a fake clock. Webhook verbs are not part of it (their own tests
 * build a dispatcher): touching them here fails loudly.
 */
export async function createTestSessionsContext(
  vars: Record<string, string> = {},
  dialect: DbProvider = "sqlite",
): Promise<TestSessionsContext> {
  const testDb: TestDb = await createTestDb(dialect);
  const factory = new FakeEngineFactory();
  const clock = new FakeClock();
  const logger = pino({ level: "silent" });
  const host = new EngineHost(testHostOptions({ factory, clock }));
  const unavailable = () => {
    throw new Error("webhooks are not part of the test sessions context");
  };
  const ctx: SessionsContext = {
    db: testDb.db,
    host,
    env: parseEnv({ NODE_ENV: "test", SWITCHBOARD_DATA_DIR: "/nonexistent", WAHA_WORKER_ID: "w1", ...vars }),
    logger,
    dispatcher: { enqueue: unavailable, requeue: unavailable },
    publisher: { webhooksFor: unavailable, createEnvelope: unavailable, environment: TEST_ENVIRONMENT },
    cluster: null,
    resources: { current: () => null, history: () => [], intervalMs: 0 },
  };
  return {
    ctx,
    factory,
    clock,
    async close() {
      await host.stopAll();
      await testDb.close();
    },
  };
}
