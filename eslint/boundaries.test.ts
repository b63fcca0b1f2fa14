import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// Fixtures for the layer boundaries of docs/architecture.md: code linted with the repository's own config
// at virtual paths, so each wrong import must fail whether it is spelled relative or with `@/`.
const root = fileURLToPath(new URL("..", import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfigFile: `${root}eslint.config.mjs` });
const boundaryRules = ["import/no-restricted-paths", "switchboard/client-boundary", "no-restricted-imports"];

async function boundaryErrors(filePath: string, specifier: string, directive = "") {
  const code = `${directive}import * as imported from "${specifier}";\n\nexport const used = imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  expect(result.messages.filter((message) => message.fatal)).toEqual([]);
  return result.messages.filter((message) => boundaryRules.includes(message.ruleId ?? "")).map((message) => message.ruleId);
}

const useClient = '"use client";\n\n';
const wrong: [string, string, string, string][] = [
  ["a route handler importing server/db", "app/api/sessions/route.ts", "../../../server/db", "@/server/db"],
  ["a component importing server/env", "components/ui/x.tsx", "../../server/env", "@/server/env"],
  ["an engine importing server/sessions", "server/engines/x.ts", "../sessions/context", "@/server/sessions/context"],
  ["lib/ importing server/", "lib/x.ts", "../server/logger", "@/server/logger"],
];

describe("layer boundaries (eslint.config.mjs)", { timeout: 60_000 }, () => {
  for (const [title, filePath, relative, aliased] of wrong) {
    it(`fails ${title}, spelled ${relative} or ${aliased}`, async () => {
      expect(await boundaryErrors(filePath, relative)).toEqual(["import/no-restricted-paths"]);
      expect(await boundaryErrors(filePath, aliased)).toEqual(["import/no-restricted-paths"]);
    });
  }

  it('fails a "use client" view under app/(dashboard) importing server/env, spelled either way', async () => {
    const view = "app/(dashboard)/sessions/view.tsx";
    expect(await boundaryErrors(view, "@/server/env", useClient)).toEqual(["switchboard/client-boundary"]);
    expect(await boundaryErrors(view, "../../../server/env", useClient)).toEqual(["switchboard/client-boundary"]);
    expect(await boundaryErrors(view, "@/generated/prisma/client", useClient)).toEqual(["switchboard/client-boundary"]);
    expect(await boundaryErrors(view, "next-auth/jwt", useClient)).toEqual(["switchboard/client-boundary"]);
  });

  it("fails an npm package a layer may not use", async () => {
    expect(await boundaryErrors("app/api/sessions/route.ts", "whatsapp-web.js")).toEqual(["no-restricted-imports"]);
    expect(await boundaryErrors("server/engines/x.ts", "socket.io")).toEqual(["no-restricted-imports"]);
  });

  it("passes the imports each layer is allowed", async () => {
    expect(await boundaryErrors("app/api/sessions/route.ts", "../../../server/sessions/context")).toEqual([]);
    expect(await boundaryErrors("app/api/sessions/route.ts", "@/server/http/handler")).toEqual([]);
    expect(await boundaryErrors("components/ui/x.tsx", "../../lib/errors")).toEqual([]);
    expect(await boundaryErrors("app/(dashboard)/sessions/view.tsx", "@/lib/session", useClient)).toEqual([]);
    expect(await boundaryErrors("app/(dashboard)/sessions/view.tsx", "../../../components/ui/button", useClient)).toEqual([]);
    expect(await boundaryErrors("server/engines/x.ts", "../../lib/session")).toEqual([]);
    expect(await boundaryErrors("lib/x.ts", "./errors")).toEqual([]);
  });

  it("lets a server page under app/(dashboard) import server code", async () => {
    expect(await boundaryErrors("app/(dashboard)/sessions/page.tsx", "@/server/env")).toEqual([]);
  });
});
