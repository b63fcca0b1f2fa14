import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ZSessionListQuerySchema } from "@/lib/session";
import type { ResourceSample } from "@/server/engines/resource-sampler";
import { createTestSessionsContext, type TestSessionsContext } from "@/test/support/sessions-context";
import type { OwnedStatus } from "./context";
import { createSession } from "./create-session";
import { getSession } from "./get-session";
import { getSessionResources } from "./get-session-resources";
import { listSessions } from "./list-sessions";
import { stopSession } from "./stop-session";

const sampleOf = (pssMiB: number, timestamp = 1): ResourceSample => ({
  timestamp,
  rssBytes: pssMiB * 2 * 1048576,
  pssBytes: pssMiB * 1048576,
  cpuPercent: 12.34,
  processes: 6,
  eventsPerMinute: 2,
});

describe("a session's resources", () => {
  let t: TestSessionsContext;
  const figures = new Map<string, ResourceSample[]>();

  beforeEach(async () => {
    t = await createTestSessionsContext();
    figures.clear();
    t.ctx.resources = {
      current: (name) => figures.get(name)?.at(-1) ?? null,
      history: (name) => figures.get(name) ?? [],
      intervalMs: 15_000,
    };
    for (const name of ["a", "b", "c", "d"]) await createSession(t.ctx, { name, start: true });
  });
  afterEach(() => t.close());

  it("the session carries its browser's last sample, null without one", async () => {
    figures.set("a", [sampleOf(100)]);
    expect((await getSession(t.ctx, "a", {})).resources).toEqual({
      memory: { rss: 200 * 1048576, pss: 100 * 1048576 },
      cpu: 12.3,
      processes: 6,
      sampledAt: 1,
    });
    expect((await getSession(t.ctx, "b", {})).resources).toBeNull();
  });

  it("sortBy=memory: largest PSS first, sessions without a browser last by name, then the page", async () => {
    figures.set("b", [sampleOf(50)]);
    figures.set("c", [sampleOf(300)]);
    figures.set("d", [sampleOf(120)]);
    const list = async (query: Record<string, string>) =>
      (await listSessions(t.ctx, ZSessionListQuerySchema.parse(query))).items.map((session) => session.name);
    expect(await list({ sortBy: "memory" })).toEqual(["c", "d", "b", "a"]);
    expect(await list({ sortBy: "memory", limit: "2", offset: "1" })).toEqual(["d", "b"]);
    expect(await list({})).toEqual(["a", "b", "c", "d"]);
    const { total } = await listSessions(t.ctx, ZSessionListQuerySchema.parse({ sortBy: "memory", limit: "1" }));
    expect(total).toBe(4);
  });

  it("sortBy=status: FAILED first, STOPPED last, ties by name; sortBy=activity lists every match", async () => {
    await stopSession(t.ctx, "b");
    const list = async (query: Record<string, string>) =>
      (await listSessions(t.ctx, ZSessionListQuerySchema.parse({ all: "true", ...query }))).items.map((session) => session.name);
    const statuses = new Map(
      (await listSessions(t.ctx, ZSessionListQuerySchema.parse({ all: "true" }))).items.map((s) => [s.name, s.status]),
    );
    expect(statuses.get("b")).toBe("STOPPED");
    expect(await list({ sortBy: "status" })).toEqual(["a", "c", "d", "b"]);
    expect(await list({ sortBy: "status", limit: "1", offset: "3" })).toEqual(["b"]);
    expect((await list({ sortBy: "activity" })).sort()).toEqual(["a", "b", "c", "d"]);
    expect(ZSessionListQuerySchema.safeParse({ sortBy: "phone" }).success).toBe(false);
  });

  it("cluster mode: a session owned elsewhere shows its owner's figures, in the session and in sortBy=memory", async () => {
    for (const name of ["e", "f"]) await createSession(t.ctx, { name, start: false });
    figures.set("b", [sampleOf(50)]);
    figures.set("c", [sampleOf(300)]);
    const remote = { memory: { rss: 400 * 1048576, pss: 200 * 1048576 }, cpu: 5, processes: 8, sampledAt: 7 };
    const owners = new Map<string, OwnedStatus>([
      ["e", { workerId: "w2", status: "WORKING", resources: remote }],
      ["f", { workerId: "w2", status: "WORKING", resources: null }], // no browser, or stale figures
    ]);
    t.ctx.cluster = {
      workerId: "w1",
      acquire: async () => true,
      release: async () => undefined,
      forget: () => undefined,
      statusesOf: async (names) => new Map([...owners].filter(([name]) => !names || names.includes(name))),
      loginOf: async () => null,
    };
    expect((await getSession(t.ctx, "e", {})).resources).toEqual(remote);
    expect((await getSession(t.ctx, "f", {})).resources).toBeNull();
    const list = async (query: Record<string, string>) =>
      (await listSessions(t.ctx, ZSessionListQuerySchema.parse(query))).items.map((session) => [
        session.name,
        session.resources?.memory.pss ?? null,
      ]);
    const expected = [
      ["c", 300 * 1048576],
      ["e", 200 * 1048576],
      ["b", 50 * 1048576],
      ["a", null],
      ["d", null],
      ["f", null],
    ];
    expect(await list({ sortBy: "memory" })).toEqual(expected);
    expect(await list({ sortBy: "memory", all: "true" })).toEqual(expected);
  });

  it("an unknown sortBy is refused naming the field", () => {
    const parsed = ZSessionListQuerySchema.safeParse({ sortBy: "cpu" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].path).toEqual(["sortBy"]);
  });

  it("GET /resources: the last hour's samples, oldest first; 404 for an unknown session", async () => {
    figures.set("a", [sampleOf(100, 1_000), sampleOf(110, 16_000)]);
    const history = await getSessionResources(t.ctx, "a");
    expect(history.intervalSeconds).toBe(15);
    expect(history.samples.map((sample) => [sample.timestamp, sample.memory.pss, sample.eventsPerMinute])).toEqual([
      [1_000, 100 * 1048576, 2],
      [16_000, 110 * 1048576, 2],
    ]);
    await expect(getSessionResources(t.ctx, "nope")).rejects.toMatchObject({ code: expect.stringMatching(/not_found$/) });
  });
});
