import { apiRoute } from "@/server/http/handler";

/**
 * Interactive API docs. The document itself needs the API key (every /api route does), so the page
 * asks for it and keeps it in memory only; a logged-in dashboard cookie works without asking.
 * No inline script: the content security policy allows scripts from this origin only.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Switchboard API</title>
  <link rel="icon" href="/docs/assets/favicon-32x32.png" />
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  <style>
    body { margin: 0; font-family: system-ui, sans-serif; }
    #key { display: none; max-width: 32rem; margin: 4rem auto; padding: 1.5rem; border: 1px solid #ddd; border-radius: 8px; }
    #key input { width: 100%; padding: .5rem; margin: .5rem 0 1rem; box-sizing: border-box; font: inherit; }
    #key button { padding: .5rem 1rem; font: inherit; cursor: pointer; }
    #key .error { color: #b00020; }
  </style>
</head>
<body>
  <form id="key">
    <h1>Switchboard API</h1>
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
