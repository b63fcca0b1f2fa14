/**
 * WAHA_LOG_FORMAT=PRETTY: each JSON log line (already redacted) rewritten as one line for people:
 * time, level, module, message, then the other fields as key=value; an error's stack on the lines
 * below. A line that is not a JSON object passes unchanged. Colours only on a terminal.
 */

const LEVELS: Record<number, { name: string; colour: string }> = {
  10: { name: "TRACE", colour: "\u001b[90m" },
  20: { name: "DEBUG", colour: "\u001b[36m" },
  30: { name: "INFO", colour: "\u001b[32m" },
  40: { name: "WARN", colour: "\u001b[33m" },
  50: { name: "ERROR", colour: "\u001b[31m" },
  60: { name: "FATAL", colour: "\u001b[35m" },
};
const RESET = "\u001b[0m";
const DIM = "\u001b[2m";

/** Fields the line's head already shows. */
const HEAD_FIELDS = new Set(["level", "time", "msg", "module", "pid", "hostname"]);

export function formatPrettyLine(line: string, options: { colour: boolean }): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return line;
    record = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = LEVELS[Number(record.level)] ?? { name: String(record.level ?? "LOG").toUpperCase(), colour: "" };
  const paint = (text: string, colour: string) => (options.colour && colour ? `${colour}${text}${RESET}` : text);

  const head = [
    paint(formatTime(record.time), DIM),
    paint(level.name.padEnd(5), level.colour),
    typeof record.module === "string" ? paint(`[${record.module}]`, DIM) : null,
    typeof record.msg === "string" && record.msg !== "" ? record.msg : null,
  ].filter((part): part is string => part !== null);

  const fields: string[] = [];
  const stacks: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (HEAD_FIELDS.has(key) || value === undefined) continue;
    const stack = errorStack(value);
    if (stack) {
      fields.push(`${key}=${formatValue((value as { message?: unknown }).message ?? (value as { type?: unknown }).type ?? "error")}`);
      stacks.push(stack);
    } else {
      fields.push(`${key}=${formatValue(value)}`);
    }
  }
  const text = [...head, ...fields].join(" ");
  const tail = stacks.map((stack) => `\n${indent(stack)}`).join("");
  return `${text}${tail}\n`;
}

function formatTime(time: unknown): string {
  const date = new Date(typeof time === "number" || typeof time === "string" ? time : Date.now());
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString().replace("T", " ").replace("Z", "");
}

/** A bare word stays bare; anything with spaces, quotes or `=`, and every object, is JSON. */
function formatValue(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

/** pino's serialised error (`err`, or any field with a `stack`). */
function errorStack(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return null;
  const stack = (value as { stack?: unknown }).stack;
  return typeof stack === "string" && stack !== "" ? stack : null;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
