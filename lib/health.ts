import { z } from "zod";

/** `GET /health`: 200 with status ok, or 503 with status error when the database does not answer. */
export const ZHealthSchema = z
  .object({
    status: z.enum(["ok", "error"]),
    database: z.object({
      status: z.enum(["up", "down"]),
      latencyMs: z.number(),
      error: z.string().optional(),
    }),
    sessions: z.object({ running: z.number().int().describe("Sessions in any status but STOPPED on this server") }),
  })
  .meta({ id: "Health" });
export type THealth = z.infer<typeof ZHealthSchema>;

/** `GET /ping`. */
export const ZPongSchema = z.object({ message: z.literal("pong") }).meta({ id: "Pong" });
export type TPong = z.infer<typeof ZPongSchema>;
