import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  RESERVED_SESSION_NAMES,
  ZPairingCodeRequestSchema,
  ZSessionCreateRequestSchema,
  ZSessionStartRequestSchema,
  ZSessionListQuerySchema,
  ZSessionNameSchema,
  generateSessionName,
} from "./session";

describe("session names", () => {
  it("allows 1 to 54 letters, digits, _ and -", () => {
    for (const name of ["default", "a", "A-b_9", "x".repeat(54)]) expect(ZSessionNameSchema.safeParse(name).success).toBe(true);
    for (const name of ["", "x".repeat(55), "has space", "dot.ted", "slash/", "ünï"]) {
      expect(ZSessionNameSchema.safeParse(name).success).toBe(false);
    }
  });

  it("generates session_<lower-case ULID> names that are valid and unique", () => {
    const names = new Set(Array.from({ length: 100 }, generateSessionName));
    expect(names.size).toBe(100);
    for (const name of names) {
      expect(name).toMatch(/^session_[0-9a-z]{26}$/);
      expect(ZSessionNameSchema.safeParse(name).success).toBe(true);
    }
  });
});

describe("create request", () => {
  it("starts by default and treats an empty name as missing", () => {
    expect(ZSessionCreateRequestSchema.parse({})).toEqual({ start: true });
    expect(ZSessionCreateRequestSchema.parse({ name: "", start: false }).start).toBe(false);
  });

  it("rejects a non-boolean start and a bad name", () => {
    expect(ZSessionCreateRequestSchema.safeParse({ start: "yes" }).success).toBe(false);
    expect(ZSessionCreateRequestSchema.safeParse({ name: "bad name" }).error?.issues[0].path).toEqual(["name"]);
  });

  it("refuses a name that a dashboard page takes, on the name field; names that only contain one pass", () => {
    for (const schema of [ZSessionCreateRequestSchema, ZSessionStartRequestSchema]) {
      expect(schema.safeParse({ name: "new" }).error?.issues).toEqual([
        expect.objectContaining({ path: ["name"], message: "is reserved: /sessions/new is a page of the dashboard; choose another name" }),
      ]);
      for (const name of ["news", "new-1", "NEW", "renew"]) expect(schema.safeParse({ name }).success, name).toBe(true);
    }
  });

  it("reserves every page of the dashboard directly under /sessions/", () => {
    // A static folder with a page.tsx wins over [name] in Next's routing: a session of that name could not be opened.
    const sessionsPages = path.resolve(import.meta.dirname, "../app/(dashboard)/sessions");
    const pages = fs
      .readdirSync(sessionsPages, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("["))
      .filter((entry) => fs.existsSync(path.join(sessionsPages, entry.name, "page.tsx")))
      .map((entry) => entry.name);
    expect(pages).toContain("new");
    expect([...RESERVED_SESSION_NAMES].sort()).toEqual(pages.sort());
  });
});

describe("list query", () => {
  it("parses WAHA's booleans and rejects others", () => {
    expect(ZSessionListQuerySchema.parse({ all: "True" }).all).toBe(true);
    expect(ZSessionListQuerySchema.parse({ all: "0" }).all).toBe(false);
    expect(ZSessionListQuerySchema.safeParse({ all: "yes" }).success).toBe(false);
  });

  it("splits statuses and bounds pagination", () => {
    expect(ZSessionListQuerySchema.parse({ status: "WORKING,FAILED" }).status).toEqual(["WORKING", "FAILED"]);
    expect(ZSessionListQuerySchema.safeParse({ status: "BUSY" }).success).toBe(false);
    expect(ZSessionListQuerySchema.safeParse({ limit: "0" }).success).toBe(false);
    expect(ZSessionListQuerySchema.parse({ limit: "100", offset: "200" })).toMatchObject({ limit: 100, offset: 200 });
  });
});

describe("pairing code request", () => {
  it("normalises the phone number to digits", () => {
    expect(ZPairingCodeRequestSchema.parse({ phoneNumber: "+1 (555) 000-1111" }).phoneNumber).toBe("15550001111");
    expect(ZPairingCodeRequestSchema.safeParse({ phoneNumber: "call me" }).success).toBe(false);
  });
});
