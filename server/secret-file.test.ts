import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "@/test/support/temp-dirs";
import { readOrCreateSecretFile } from "./secret-file";

const tmp = tempDirs("sb-secret-");

describe("readOrCreateSecretFile", () => {
  it("generates the value once, in a new folder, with mode 600, and reads it back afterwards", () => {
    const dir = path.join(tmp(), "nested", "data");
    let generated = 0;
    const generate = () => `value-${++generated}`;
    const first = readOrCreateSecretFile({ dir, name: "token", generate });
    expect(first).toEqual({ value: "value-1", created: true, file: path.join(dir, "token") });
    expect(fs.readFileSync(first.file, "utf8")).toBe("value-1\n");
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    expect(readOrCreateSecretFile({ dir, name: "token", generate })).toEqual({ value: "value-1", created: false, file: first.file });
    expect(generated).toBe(1);
  });

  it("keeps a value someone else stored (trimmed)", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "token"), "  configured  \n");
    expect(readOrCreateSecretFile({ dir, name: "token", generate: () => "new" })).toMatchObject({ value: "configured", created: false });
  });

  it("replaces an empty file (an interrupted first start)", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "token"), "\n", { mode: 0o644 });
    const stored = readOrCreateSecretFile({ dir, name: "token", generate: () => "fresh" });
    expect(stored).toMatchObject({ value: "fresh", created: true });
    expect(fs.statSync(stored.file).mode & 0o777).toBe(0o600);
  });

  it("creates exclusively: when another process wins the race, its value is used and not overwritten", () => {
    const dir = tmp();
    const file = path.join(dir, "token");
    // The other process writes between our read (no file yet) and our create.
    const stored = readOrCreateSecretFile({
      dir,
      name: "token",
      generate: () => {
        fs.writeFileSync(file, "winner\n", { flag: "wx" });
        return "loser";
      },
    });
    expect(stored).toEqual({ value: "winner", created: false, file });
    expect(fs.readFileSync(file, "utf8")).toBe("winner\n");
  });
});
