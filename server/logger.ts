import pino, { type Logger } from "pino";
import { getEnv } from "./env";
import { remember } from "./remember";

/** One structured (JSON) logger for the process; modules take child loggers with their own bindings. */
export function getLogger(): Logger {
  return remember("logger", () =>
    pino({
      level: getEnv().logLevel,
      base: { worker: getEnv().workerId ?? undefined },
      redact: { paths: ["apiKey", "*.apiKey", "password", "*.password", "hmac.key"], censor: "[redacted]" },
    }),
  );
}
