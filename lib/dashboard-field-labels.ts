/**
 * The words the session form uses for a field, in place of the API's path: `config.webhooks.0.url`
 * reads "Webhook 1: URL". Keys are the form's error keys (lib/dashboard-config-validation.ts).
 * Universal code, no React.
 */

/** Words for the segments of a config path; a list's name is singular, its items are numbered from 1. */
const SEGMENT_WORDS: Record<string, string> = {
  config: "Configuration",
  metadata: "Metadata",
  webhooks: "Webhook",
  url: "URL",
  events: "events",
  hmac: "HMAC",
  key: "key",
  retries: "retries",
  policy: "policy",
  delaySeconds: "delay in seconds",
  attempts: "attempts",
  customHeaders: "custom header",
  name: "name",
  value: "value",
  proxy: "Proxy",
  server: "server",
  username: "user name",
  password: "password",
  ignore: "Ignored chats",
  client: "Linked device",
  deviceName: "device name",
  browserName: "browser name",
  debug: "Debug logs",
  noweb: "NOWEB options",
  gows: "GOWS options",
  webjs: "WEBJS options",
};

/** `deviceName` -> "device name": a key the table does not know still reads as words. */
const words = (segment: string) =>
  SEGMENT_WORDS[segment] ??
  segment
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[._-]+/g, " ")
    .toLowerCase();

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * "Name", "Metadata row 2: key", "Webhook 1: URL", "Webhook 1: custom header 2: value", "Proxy: server".
 * An index follows the list it numbers; each level after the first is set off by a colon.
 */
export function fieldLabel(key: string): string {
  const segments = key
    .replace(/^body\.?/, "")
    .split(".")
    .filter(Boolean);
  if (segments.length === 0) return "Request body";
  if (segments[0] === "name") return "Name";
  if (segments[0] === "start") return "Start now";
  if (segments[0] === "metadata") {
    const [, row, part] = segments;
    return row === undefined ? "Metadata" : `Metadata row ${Number(row) + 1}${part ? `: ${words(part)}` : ""}`;
  }
  const path = segments[0] === "config" && segments.length > 1 ? segments.slice(1) : segments;
  const parts: string[] = [];
  for (const segment of path) {
    if (/^\d+$/.test(segment) && parts.length > 0) parts[parts.length - 1] += ` ${Number(segment) + 1}`;
    else parts.push(words(segment));
  }
  return capitalised(parts.join(": "));
}
