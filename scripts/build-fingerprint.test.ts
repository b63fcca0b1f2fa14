import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildIsCurrent, COPY_DATA_BUNDLE, recordBuild, SERVER_BUNDLE, sourceFingerprint } from "./build-fingerprint.mjs";

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-fingerprint-"));
  for (const [file, text] of Object.entries({
    "app/page.tsx": "export default 1;",
    "lib/x.ts": "export const x = 1;",
    "lib/x.test.ts": "test",
    "package.json": "{}",
    "docs/readme.md": "docs",
  })) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** What scripts/build.mjs leaves behind: Next's build, the compiled server and command, then the fingerprint. */
function build(): void {
  fs.mkdirSync(path.join(root, ".next"), { recursive: true });
  fs.writeFileSync(path.join(root, ".next", "BUILD_ID"), "id");
  fs.writeFileSync(path.join(root, SERVER_BUNDLE), "// server");
  fs.writeFileSync(path.join(root, COPY_DATA_BUNDLE), "// copy-data");
  recordBuild(root, sourceFingerprint(root));
}

describe("build fingerprint", () => {
  it("a missing build is not current", () => {
    expect(buildIsCurrent(root)).toBe(false);
  });

  it("a build from the current sources is reused", () => {
    build();
    expect(buildIsCurrent(root)).toBe(true);
  });

  it("a changed, added or removed source makes the build stale", () => {
    build();
    fs.writeFileSync(path.join(root, "lib/x.ts"), "export const x = 2;");
    expect(buildIsCurrent(root)).toBe(false);
    build();
    fs.writeFileSync(path.join(root, "components.tsx"), "not an input");
    fs.mkdirSync(path.join(root, "components"));
    fs.writeFileSync(path.join(root, "components/new.tsx"), "export {}");
    expect(buildIsCurrent(root)).toBe(false);
    build();
    fs.rmSync(path.join(root, "app/page.tsx"));
    expect(buildIsCurrent(root)).toBe(false);
  });

  it("tests, docs and the build output itself do not count", () => {
    build();
    fs.writeFileSync(path.join(root, "lib/x.test.ts"), "changed test");
    fs.writeFileSync(path.join(root, "docs/readme.md"), "changed docs");
    fs.writeFileSync(path.join(root, ".next/other"), "output");
    expect(buildIsCurrent(root)).toBe(true);
  });

  it("a build interrupted before its fingerprint was recorded is rebuilt", () => {
    build();
    fs.rmSync(path.join(root, ".next/switchboard-sources.sha256"));
    expect(buildIsCurrent(root)).toBe(false);
  });

  it("a build without the compiled server is rebuilt", () => {
    build();
    fs.rmSync(path.join(root, SERVER_BUNDLE));
    expect(buildIsCurrent(root)).toBe(false);
  });

  it("the server entry point counts", () => {
    fs.writeFileSync(path.join(root, "server.ts"), "main();");
    build();
    fs.writeFileSync(path.join(root, "server.ts"), "main(); // changed");
    expect(buildIsCurrent(root)).toBe(false);
  });
});
