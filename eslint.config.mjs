import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * Layer boundaries of docs/architecture.md, enforced so that a wrong import fails the lint:
 * lib/ is universal; components/ and client code see lib/ and components/ only; route handlers reach
 * the server through server/http, server/sessions and server/system; engines never see Prisma, Next,
 * Socket.IO or the env module.
 */
const project = (...dirs) => dirs.flatMap((dir) => [`@/${dir}`, `@/${dir}/*`, `@/${dir}/**`]);
const restrict = (files, patterns, message) => ({
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
  restrict(
    ["lib/**"],
    [...project("server", "app", "components", "generated"), "../*", "../**"],
    "lib/ is universal code and imports nothing from the project.",
  ),
  restrict(
    ["components/**"],
    [...project("server", "app", "generated"), "next-auth/jwt", "@prisma/*"],
    "components/ may import lib/ and components/ only.",
  ),
  restrict(
    ["app/**/route.ts"],
    [...project("server/engines", "server/db", "server/webhooks", "server/events", "generated"), "@prisma/*", "whatsapp-web.js"],
    "Route handlers call server/http, server/sessions and server/system; they never touch engines or Prisma.",
  ),
  restrict(
    ["server/engines/**"],
    [...project("server/db", "server/sessions", "server/http", "server/env", "server/realtime", "server/webhooks", "app", "components", "generated"), "next", "next/*", "socket.io", "@prisma/*"],
    "Engines import only lib/ and npm packages: no Prisma, no Next, no Socket.IO, no env.",
  ),
];
