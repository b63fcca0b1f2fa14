import { z } from "zod";

/** `GET /api/server/status` (WAHA's ServerStatusResponse). */
export const ZServerStatusSchema = z
  .object({
    startTimestamp: z.number().int().describe("When the server process started (milliseconds since the epoch)"),
    uptime: z.number().int().describe("How long it has been running, in milliseconds"),
    worker: z.object({ id: z.string().describe("WAHA_WORKER_ID; embedded when unset") }),
  })
  .meta({ id: "ServerStatus" });
export type TServerStatus = z.infer<typeof ZServerStatusSchema>;

/** WAHA's boolean query values: true/false/1/0, any case. */
const ZQueryBooleanSchema = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(["true", "false", "1", "0"], { error: "must be true, false, 1 or 0" }))
  .transform((value) => value === "true" || value === "1");

/** `GET /api/server/environment` query. */
export const ZServerEnvironmentQuerySchema = z.object({
  all: ZQueryBooleanSchema.optional()
    .default(false)
    .describe("true: every setting Switchboard reads, the ones left at their default too (null when there is none)"),
});

/**
 * `GET /api/server/environment`: each setting by its variable name with its effective value (as parsed:
 * booleans, numbers and lists are JSON values). Secrets are never shown, only `[redacted]` when set.
 */
export const ZServerEnvironmentSchema = z.record(z.string(), z.unknown()).meta({ id: "ServerEnvironment" });
export type TServerEnvironment = z.infer<typeof ZServerEnvironmentSchema>;

/** `POST /api/server/stop` body (WAHA's StopRequest). */
export const ZServerStopRequestSchema = z
  .object({
    force: z
      .boolean()
      .default(false)
      .describe(
        "false: the graceful stop of SIGTERM (sessions stopped, their desired state kept, deliveries in flight finished); true: exit at once",
      ),
  })
  .meta({ id: "ServerStopRequest" });
export type TServerStopRequest = z.infer<typeof ZServerStopRequestSchema>;

/** `POST /api/server/stop` answer (WAHA's StopResponse), sent before the server stops. */
export const ZServerStopResponseSchema = z.object({ stopping: z.literal(true) }).meta({ id: "ServerStopResponse" });
export type TServerStopResponse = z.infer<typeof ZServerStopResponseSchema>;
