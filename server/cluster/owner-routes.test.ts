import { describe, expect, it, vi } from "vitest";
import { OwnerRoutes } from "./owner-routes";
import type { SessionRoute } from "./session-owners";

const ownedBy = (workerId: string, leaseLeftMs = 10_000): SessionRoute => ({
  running: true,
  owner: { workerId, url: `http://${workerId}.internal:3000`, epoch: 3, leaseLeftMs },
  leaseLeftMs: 0,
});

function setup() {
  const clock = { now: 1_000 };
  const routes = new OwnerRoutes("w1", () => clock.now);
  routes.setListening(true);
  return { routes, clock };
}

describe("OwnerRoutes", () => {
  it("answers another worker's session from what it read, without asking again", async () => {
    const { routes } = setup();
    const load = vi.fn(async () => ownedBy("w2"));
    expect((await routes.routeOf("alpha", load))?.owner?.workerId).toBe("w2");
    expect((await routes.routeOf("alpha", load))?.owner).toMatchObject({ workerId: "w2", url: "http://w2.internal:3000" });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("keeps neither this worker's own sessions, nor sessions without a live owner, nor unknown ones", async () => {
    const { routes } = setup();
    const answers: (SessionRoute | null)[] = [ownedBy("w1"), { running: true, owner: null, leaseLeftMs: 4_000 }, null];
    for (const answer of answers) {
      const load = vi.fn(async () => answer);
      await routes.routeOf("alpha", load);
      expect(await routes.routeOf("alpha", load)).toEqual(answer);
      expect(load).toHaveBeenCalledTimes(2);
    }
  });

  it("keeps nothing while the changes cannot be heard, and starts over when they can", async () => {
    const { routes } = setup();
    const load = vi.fn(async () => ownedBy("w2"));
    await routes.routeOf("alpha", load);
    routes.setListening(false);
    await routes.routeOf("alpha", load);
    await routes.routeOf("alpha", load);
    expect(load).toHaveBeenCalledTimes(3);
    routes.setListening(true);
    await routes.routeOf("alpha", load);
    await routes.routeOf("alpha", load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it("forgets a session whose owner changed, and every session when a worker changed", async () => {
    const { routes } = setup();
    const load = vi.fn(async () => ownedBy("w2"));
    await routes.routeOf("alpha", load);
    await routes.routeOf("beta", load);
    routes.forget("alpha");
    await routes.routeOf("alpha", load);
    await routes.routeOf("beta", load);
    expect(load).toHaveBeenCalledTimes(3);
    routes.forgetAll();
    await routes.routeOf("alpha", load);
    await routes.routeOf("beta", load);
    expect(load).toHaveBeenCalledTimes(5);
  });

  it("does not keep a read that a change overlapped", async () => {
    const { routes } = setup();
    const load = vi.fn(async () => {
      routes.forget("alpha");
      return ownedBy("w2");
    });
    await routes.routeOf("alpha", load);
    await routes.routeOf("alpha", load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("believes an owner no longer than its lease had left when it was read", async () => {
    const { routes, clock } = setup();
    const load = vi.fn(async () => ownedBy("w2", 3_000));
    await routes.routeOf("alpha", load);
    clock.now += 2_000;
    await routes.routeOf("alpha", load);
    expect(load).toHaveBeenCalledTimes(1);
    clock.now += 600;
    await routes.routeOf("alpha", load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
