import pino, { type Logger } from "pino";
import { getEnv } from "./env";
import { formatPrettyLine } from "./log-format";
import { redactLogLine } from "./log-redaction";
import { remember } from "./remember";
import { traceLogFields } from "./request-context";

/**
 * One structured (JSON) logger for the process; modules take child loggers with their own bindings.
 * Every line passes redactLogLine() on its way out, so no URL, header or error carries a credential,
 * and carries the trace of the request it was logged for (server/request-context.ts).
 * WAHA_LOG_FORMAT=PRETTY rewrites each finished line for people (server/log-format.ts).
 */
export function getLogger(): Logger {
  return remember("logger", () => {
    const env = getEnv();
    const colour = Boolean(process.stdout.isTTY);
    const output =
      env.logFormat === "PRETTY"
        ? (line: string) => process.stdout.write(formatPrettyLine(redactLogLine(line), { colour }))
        : (line: string) => process.stdout.write(redactLogLine(line));
    return pino(
      {
        level: env.logLevel,
        base: { worker: env.workerId ?? undefined },
        mixin: traceLogFields,
        redact: { paths: ["apiKey", "*.apiKey", "password", "*.password", "hmac.key"], censor: "[redacted]" },
      },
      { write: output },
    );
  });
}
