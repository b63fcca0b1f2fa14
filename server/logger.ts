import pino, { type Logger } from "pino";
import { getEnv } from "./env";
import { redactLogLine } from "./log-redaction";
import { remember } from "./remember";

/**
 * One structured (JSON) logger for the process; modules take child loggers with their own bindings.
 * Every line passes redactLogLine() on its way out, so no URL, header or error carries a credential.
 */
export function getLogger(): Logger {
  return remember("logger", () =>
    pino(
      {
        level: getEnv().logLevel,
        base: { worker: getEnv().workerId ?? undefined },
        redact: { paths: ["apiKey", "*.apiKey", "password", "*.password", "hmac.key"], censor: "[redacted]" },
      },
      { write: (line: string) => process.stdout.write(redactLogLine(line)) },
    ),
  );
}
