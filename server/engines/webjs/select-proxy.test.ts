import { describe, expect, it } from "vitest";
import { selectProxy, type GlobalProxySettings } from "./select-proxy";

const list: GlobalProxySettings = { servers: ["a:1", "b:2", "c:3"], indexPrefix: "proxy-", username: "u", password: "p" };

describe("selectProxy", () => {
  it("returns null without any proxy", () => {
    expect(selectProxy({ session: "s", sessionProxy: null, globalProxy: null, runningSessions: 0 })).toBeNull();
    expect(selectProxy({ session: "s", sessionProxy: undefined, globalProxy: { servers: [] }, runningSessions: 0 })).toBeNull();
  });

  it("uses config.proxy with its own credentials over the global proxy", () => {
    expect(
      selectProxy({
        session: "proxy-1",
        sessionProxy: { server: "mine:8080", username: "me", password: "secret" },
        globalProxy: list,
        runningSessions: 0,
      }),
    ).toEqual({ server: "mine:8080", credentials: { username: "me", password: "secret" } });
    expect(selectProxy({ session: "s", sessionProxy: { server: "mine:8080" }, globalProxy: list, runningSessions: 0 })).toEqual({
      server: "mine:8080",
      credentials: null,
    });
  });

  it("uses the single global server with the global credentials", () => {
    expect(
      selectProxy({
        session: "s",
        sessionProxy: null,
        globalProxy: { servers: ["only:3128"], username: "u", password: "p" },
        runningSessions: 7,
      }),
    ).toEqual({ server: "only:3128", credentials: { username: "u", password: "p" } });
  });

  it("picks a list entry by the trailing number when the name contains the prefix", () => {
    const pick = (session: string) => selectProxy({ session, sessionProxy: null, globalProxy: list, runningSessions: 0 })?.server;
    expect(pick("proxy-1")).toBe("b:2");
    expect(pick("proxy-5")).toBe("c:3");
    expect(pick("proxy-0")).toBe("a:1");
    expect(pick("team-proxy-2")).toBe("c:3");
  });

  it("falls back to round-robin by running sessions", () => {
    const pick = (session: string, runningSessions: number) =>
      selectProxy({ session, sessionProxy: null, globalProxy: list, runningSessions })?.server;
    expect(pick("sales", 0)).toBe("a:1");
    expect(pick("sales", 4)).toBe("b:2");
    expect(pick("proxy-x", 2)).toBe("c:3"); // prefix but no number
    expect(pick("other-7", 0)).toBe("a:1"); // number but no prefix
  });

  it("ignores credentials without a username", () => {
    expect(selectProxy({ session: "s", sessionProxy: null, globalProxy: { servers: ["x:1"], password: "p" }, runningSessions: 0 })).toEqual(
      { server: "x:1", credentials: null },
    );
  });
});
