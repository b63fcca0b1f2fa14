import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ROUTE_ACCESS } from "@/server/http/route-access";
import { DIRECT_ROUTES } from "./direct-routes";

const APP = fileURLToPath(new URL(".", import.meta.url));

/** `app/api/sessions/[session]/route.ts` -> `/api/sessions/[session]`. */
function patternOf(file: string): string {
  return `/${path.dirname(path.relative(APP, file)).split(path.sep).join("/")}`;
}

describe("DIRECT_ROUTES", () => {
  const files = fs
    .readdirSync(APP, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name === "route.ts")
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !patternOf(file).startsWith("/docs"));

  it("lists every route handler outside the dashboard's /docs", () => {
    expect(DIRECT_ROUTES.map((route) => route.pattern).sort()).toEqual(files.map(patternOf).sort());
  });

  it("maps each pattern to the module of its own folder", async () => {
    for (const file of files) {
      const route = DIRECT_ROUTES.find((entry) => entry.pattern === patternOf(file));
      if (route?.module !== "next") expect(route?.module, patternOf(file)).toBe(await import(file));
    }
  });

  it("gives every API route and method its entry in the access table (server/http/route-access.ts)", () => {
    const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
    const routes = DIRECT_ROUTES.flatMap((route) =>
      route.module === "next" || !route.pattern.startsWith("/api/")
        ? []
        : methods.filter((method) => route.module !== "next" && route.module[method]).map((method) => `${method} ${route.pattern}`),
    );
    expect(Object.keys(ROUTE_ACCESS).sort()).toEqual(routes.sort());
  });
});
