import { z } from "zod";
import { ZWorkerReadinessSchema } from "./cluster";

/**
 * `GET /health`: 200 with status ok, or 503 with status error when the database does not answer or (cluster
 * mode) the worker is not ready for traffic: starting, draining or fenced. Load balancers probe it.
 */
export const ZHealthSchema = z
  .object({
    status: z.enum(["ok", "error"]),
    database: z.object({
      status: z.enum(["up", "down"]),
      latencyMs: z.number(),
      error: z.string().optional(),
    }),
    sessions: z.object({ running: z.number().int().describe("Sessions in any status but STOPPED on this server") }),
    worker: z.object({ id: z.string(), state: ZWorkerReadinessSchema }).optional().describe("Cluster mode: this worker's readiness"),
  })
  .meta({ id: "Health" });
export type THealth = z.infer<typeof ZHealthSchema>;

/** `GET /ping`. */
export const ZPongSchema = z.object({ message: z.literal("pong") }).meta({ id: "Pong" });
export type TPong = z.infer<typeof ZPongSchema>;
