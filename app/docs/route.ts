import { apiRoute } from "@/server/http/handler";

/**
 * Interactive API docs. The document itself needs the API key (every /api route does), so the page
 * asks for it and keeps it in memory only; a logged-in dashboard cookie works without asking.
 * No inline script: the content security policy allows scripts from this origin only. A bar leads back
 * to the dashboard; the dashboard's colour theme (stored choice, else the system's) applies before paint.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <meta name="color-scheme" content="light dark" />
  <title>Switchboard API</title>
  <link rel="icon" href="/docs/assets/favicon-32x32.png" />
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  <script src="/docs/assets/switchboard-theme.js"></script>
  <style>
    :root { --bg: #fff; --fg: #18181b; --muted: #52525b; --line: #e4e4e7; --card: #fafafa; --accent: #047857; }
    html.dark { --bg: #09090b; --fg: #fafafa; --muted: #a1a1aa; --line: #27272a; --card: #18181b; --accent: #34d399; }
    body { margin: 0; font-family: system-ui, sans-serif; background: var(--bg); color: var(--fg); }
    #bar { position: sticky; top: 0; z-index: 10; display: flex; align-items: center; gap: 1rem; height: 3.5rem; padding: 0 1rem;
      border-bottom: 1px solid var(--line); background: var(--bg); }
    #bar a { color: var(--accent); font-weight: 600; font-size: .875rem; text-decoration: none; }
    #bar a:hover { text-decoration: underline; }
    #bar span { font-weight: 600; }
    #key { display: none; max-width: 28rem; margin: 4rem 1rem; padding: 1.5rem; border: 1px solid var(--line); border-radius: 12px;
      background: var(--card); box-shadow: 0 1px 2px rgb(0 0 0 / .06); }
    @media (min-width: 32rem) { #key { margin: 4rem auto; } }
    #key h1 { margin: 0 0 .5rem; font-size: 1.25rem; }
    #key p { color: var(--muted); font-size: .875rem; line-height: 1.5; }
    #key label { display: block; margin-top: 1rem; font-size: .875rem; font-weight: 600; }
    #key input { width: 100%; padding: .5rem .75rem; margin: .5rem 0 1rem; box-sizing: border-box; font: inherit; color: inherit;
      background: var(--bg); border: 1px solid var(--line); border-radius: 8px; }
    #key button { padding: .5rem 1rem; font: inherit; font-weight: 600; cursor: pointer; color: #fff; background: #047857; border: 0;
      border-radius: 8px; }
    #key a { color: var(--accent); }
    #key .error { color: #dc2626; }
    /* Swagger UI has no dark theme: its light page, inverted, keeps colours apart and text readable. */
    html.dark #swagger { filter: invert(0.9) hue-rotate(180deg); }
  </style>
</head>
<body>
  <header id="bar">
    <a href="/sessions" id="back">&larr; Dashboard</a>
    <span>Switchboard API</span>
  </header>
  <form id="key" aria-labelledby="key-title">
    <h1 id="key-title">Sign in to read the API docs</h1>
    <p>The docs open for a signed-in dashboard user: <a href="/login?callbackUrl=%2Fdocs">sign in</a>. Or enter an API key;
      it is kept in this page's memory only.</p>
    <label for="api-key">API key (X-Api-Key)</label>
    <input id="api-key" type="password" autocomplete="off" required />
    <button type="submit">Open the docs</button>
    <p class="error" role="alert" id="key-error"></p>
  </form>
  <div id="swagger"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/switchboard-docs.js"></script>
</body>
</html>`;

export const GET = apiRoute(async () => new Response(PAGE, { headers: { "Content-Type": "text/html; charset=utf-8" } }), { public: true });
