import { describe, expect, it } from "vitest";
import { routeAccess } from "./route-access";

describe("routeAccess", () => {
  it("finds a route's entry by method and pattern, a literal segment before a parameter", () => {
    expect(routeAccess("GET", "/api/sessions/default")).toEqual({ action: "read", session: "path" });
    expect(routeAccess("DELETE", "/api/sessions/default")).toEqual({ action: "delete", session: "path" });
    expect(routeAccess("POST", "/api/sessions/start")).toEqual({ action: "control", session: "body" });
    expect(routeAccess("POST", "/api/sessions/x/start")).toEqual({ action: "control", session: "path" });
    expect(routeAccess("POST", "/api/keys/control")).toBe("admin");
    expect(routeAccess("GET", "/api/sessions")).toEqual({ action: "read", session: "list" });
    expect(routeAccess("GET", "/api/screenshot")).toEqual({ action: "read", session: "query" });
    expect(routeAccess("GET", "/api/version")).toBe("any");
  });

  it("needs an admin where the table has no entry (a new route, another method)", () => {
    expect(routeAccess("PATCH", "/api/sessions/default")).toBe("admin");
    expect(routeAccess("GET", "/api/unknown/route/here")).toBe("admin");
  });
});
