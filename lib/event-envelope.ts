import { z } from "zod";
import { ZEventNameSchema } from "./event-names";
import { ZMeSchema } from "./session";
import { ZMetadataSchema } from "./session-config";

/**
 * The event envelope: the body every webhook receiver gets and the `event` message every Socket.IO
 * subscriber gets (docs/webhooks.md). Keys in WAHA's order, which is also the order they are sent in.
 */

/** WAHA's `environment` block, in every envelope and at /api/server/version. */
export const ZEnvironmentSchema = z
  .object({
    version: z.string(),
    engine: z.literal("WEBJS"),
    tier: z.string(),
    browser: z.string().nullable().describe("Path of the Chromium the sessions run, null when none was found"),
    platform: z.string().describe("<os>/<arch>"),
    worker: z.object({ id: z.string().nullable() }),
  })
  .meta({ id: "Environment" });
export type TEnvironment = z.infer<typeof ZEnvironmentSchema>;

export const ZEventEnvelopeSchema = z.object({
  id: z.string().describe("evt_ + lower-case ULID, sorts by time"),
  timestamp: z.number().describe("When the event was emitted, ms"),
  event: ZEventNameSchema,
  session: z.string(),
  metadata: ZMetadataSchema.optional().describe("config.metadata; left out when the session has none"),
  me: ZMeSchema.nullable(),
  payload: z.unknown(),
  engine: z.literal("WEBJS"),
  environment: ZEnvironmentSchema,
});

/** The envelope with a typed payload (publishers know theirs; receivers see `unknown`). */
export type TEventEnvelope<TPayload = unknown> = Omit<z.infer<typeof ZEventEnvelopeSchema>, "payload"> & { payload: TPayload };
