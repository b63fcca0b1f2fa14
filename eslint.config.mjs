import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import switchboard from "./eslint/client-boundary.mjs";

/**
 * Layer boundaries of docs/architecture.md, enforced by path so that a wrong import fails the lint however
 * it is spelled (`../../server/db` as much as `@/server/db`):
 * - import/no-restricted-paths resolves every import (the TypeScript resolver knows the `@/` alias) and
 *   checks the file it lands on against the zones below;
 * - switchboard/client-boundary does the same for "use client" files, which no path tells apart;
 * - no-restricted-imports names the npm packages a layer may not use (a package has one spelling).
 * The fixtures that prove each rule fails a wrong import are in eslint/boundaries.test.ts.
 */
const root = fileURLToPath(new URL(".", import.meta.url));
// The resolver eslint-config-next registers, under the same key, so that only its tsconfig is pinned
// (by default it looks in the working directory, and `@/` would not resolve when eslint runs elsewhere).
const typescriptResolver = createRequire(createRequire(import.meta.url).resolve("eslint-config-next")).resolve(
  "eslint-import-resolver-typescript",
);

const zones = [
  {
    target: "./lib",
    from: ".",
    except: ["./lib", "./node_modules"],
    message: "lib/ is universal code and imports nothing from the project.",
  },
  {
    target: "./components",
    from: ".",
    except: ["./lib", "./components", "./node_modules"],
    message: "components/ may import lib/ and components/ only.",
  },
  {
    target: "./app/**/route.ts",
    from: ["./server/engines", "./server/db.ts", "./server/webhooks", "./server/events", "./generated"],
    message: "Route handlers call server/http, server/sessions and server/system; they never touch engines or Prisma.",
  },
  ...["./app", "./components", "./generated", "./server.ts"].map((from) => ({
    target: "./server/engines",
    from,
    message: "Engines import only lib/ and npm packages.",
  })),
  {
    target: "./server/engines",
    from: "./server",
    except: ["./engines"],
    message: "Engines import only lib/ and npm packages: no db, sessions, http, env, realtime, webhooks.",
  },
];

const restrictPackages = (files, patterns, message) => ({
  files,
  rules: { "no-restricted-imports": ["error", { patterns: [{ group: patterns, message }] }] },
});

export default [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [".next/**", "generated/**", "node_modules/**", "test-results/**", "next-env.d.ts", "e2e/support/whatsapp-web-double/page/**"],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "import/no-anonymous-default-export": "off",
    },
  },
  {
    // Playwright fixtures hand their value to a callback named `use`, which is no React hook.
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    files: ["**/*.{js,jsx,mjs,ts,tsx,mts,cts}"], // the files eslint-config-next registers the import plugin for
    settings: { "import/resolver": { [typescriptResolver]: { project: `${root}tsconfig.json` } } },
    plugins: { switchboard },
    rules: {
      "import/no-restricted-paths": ["error", { basePath: root, zones }],
      "switchboard/client-boundary": "error",
    },
  },
  restrictPackages(["components/**"], ["next-auth/jwt", "@prisma/*"], "components/ may import lib/ and components/ only."),
  restrictPackages(
    ["app/**/route.ts"],
    ["@prisma/*", "whatsapp-web.js"],
    "Route handlers call server/http, server/sessions and server/system; they never touch engines or Prisma.",
  ),
  restrictPackages(
    ["server/engines/**"],
    ["next", "next/*", "socket.io", "@prisma/*"],
    "Engines import only lib/ and npm packages: no Prisma, no Next, no Socket.IO, no env.",
  ),
];
