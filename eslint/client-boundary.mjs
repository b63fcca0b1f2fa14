import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A "use client" file runs in the browser, wherever it sits (components/ or a view under app/), so it
 * may not import server-only code. Files are not told apart by path here, so this rule reads the
 * directive and resolves each import itself: a relative specifier against the file, `@/` against the
 * repository root (the one alias, see "paths" in tsconfig.json).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const serverOnlyFolders = ["server", "generated"];
const serverOnlyPackages = [/^@prisma\//, /^\.prisma\//, /^next-auth\/jwt$/];

function isClientFile(program) {
  for (const statement of program.body) {
    if (statement.type !== "ExpressionStatement" || typeof statement.directive !== "string") return false;
    if (statement.directive === "use client") return true;
  }
  return false;
}

function projectPath(specifier, filename) {
  if (specifier.startsWith("@/")) return path.normalize(specifier.slice(2));
  if (specifier.startsWith(".")) return path.relative(root, path.resolve(path.dirname(filename), specifier));
  return null;
}

function isServerOnly(specifier, filename) {
  const inProject = projectPath(specifier, filename);
  if (inProject === null) return serverOnlyPackages.some((pattern) => pattern.test(specifier));
  const [top] = inProject.split(path.sep);
  return serverOnlyFolders.includes(top);
}

export const clientBoundary = {
  meta: {
    type: "problem",
    docs: { description: 'Forbid server-only imports in "use client" files' },
    messages: {
      serverOnly: '"{{specifier}}" is server-only; a "use client" file imports lib/ and components/ only.',
    },
    schema: [],
  },
  create(context) {
    if (!isClientFile(context.sourceCode.ast)) return {};
    const check = (source) => {
      if (source?.type !== "Literal" || typeof source.value !== "string") return;
      if (isServerOnly(source.value, context.physicalFilename)) {
        context.report({ node: source, messageId: "serverOnly", data: { specifier: source.value } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default { rules: { "client-boundary": clientBoundary } };
