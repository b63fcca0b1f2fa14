/** The docs page's own script, served as /docs/assets/switchboard-docs.js (no inline script under the CSP). */
export const DOCS_SCRIPT = `let apiKey = null;
async function load() {
  const headers = apiKey ? { "X-Api-Key": apiKey } : {};
  const response = await fetch("/api/openapi.json", { headers, credentials: "same-origin" });
  if (response.status === 401) {
    document.getElementById("key").style.display = "block";
    document.getElementById("key-error").textContent = apiKey ? "That key was not accepted." : "";
    return;
  }
  document.getElementById("key").style.display = "none";
  const ui = SwaggerUIBundle({
    spec: await response.json(),
    dom_id: "#swagger",
    deepLinking: true,
    requestInterceptor: (request) => {
      if (apiKey) request.headers["X-Api-Key"] = apiKey;
      return request;
    },
  });
  if (apiKey) ui.preauthorizeApiKey("api_key", apiKey);
}
document.getElementById("key").addEventListener("submit", (event) => {
  event.preventDefault();
  apiKey = document.getElementById("api-key").value;
  load();
});
load();
`;
