import { readFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { apiRoute } from "@/server/http/handler";
import { THEME_SCRIPT } from "@/components/ui/theme-script";
import { DOCS_SCRIPT } from "../../docs-script";

/** Swagger UI's files, served from the npm package (no CDN: Switchboard must work offline). */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
  "switchboard-docs.js": "text/javascript; charset=utf-8",
  "switchboard-theme.js": "text/javascript; charset=utf-8",
};
/** Our own scripts, served from memory: the page's and the dashboard's theme (dark class before first paint). */
const OWN_SCRIPTS: Record<string, string> = { "switchboard-docs.js": DOCS_SCRIPT, "switchboard-theme.js": THEME_SCRIPT };

export const GET = apiRoute<{ file: string }>(
  async ({ params }) => {
    // Own keys only: `constructor` or `__proto__` must not find Object.prototype's members.
    const type = Object.hasOwn(ASSETS, params.file) ? ASSETS[params.file] : undefined;
    if (!type) throw new AppError("not_found", `No asset '${params.file}'`);
    const bytes = Object.hasOwn(OWN_SCRIPTS, params.file)
      ? Buffer.from(OWN_SCRIPTS[params.file])
      : await readFile(path.join(process.cwd(), "node_modules", "swagger-ui-dist", params.file));
    return new Response(new Uint8Array(bytes), {
      headers: { "Content-Type": type, "Cache-Control": "public, max-age=86400" },
    });
  },
  { public: true },
);
