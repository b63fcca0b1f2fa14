import { z } from "zod";

/** A worker of the cluster as `GET /api/server/workers` lists it (docs/cluster.md). */
export const ZWorkerSchema = z
  .object({
    id: z.string().describe("WAHA_WORKER_ID"),
    url: z.string().describe("SWITCHBOARD_WORKER_URL: where peers forward commands for its sessions"),
    state: z.enum(["alive", "draining", "gone"]).describe("gone: its lease lapsed (stopped, crashed or cut off)"),
    sessions: z.number().int().describe("Sessions it owns now"),
    capacity: z.number().int().nullable().describe("SWITCHBOARD_WORKER_CAPACITY; null: no limit"),
    leaseUntil: z.iso
      .datetime()
      .nullable()
      .describe("When its lease lapses unless renewed (the database's clock); null in the embedded mode"),
    startedAt: z.iso.datetime(),
  })
  .meta({ id: "Worker" });
export type TWorker = z.infer<typeof ZWorkerSchema>;

export const ZWorkerListSchema = z.array(ZWorkerSchema).meta({ id: "WorkerList" });

/** What a worker tells a load balancer: starting (not yet), ready, draining (handing sessions over), fenced (lost its lease). */
export const ZWorkerReadinessSchema = z.enum(["starting", "ready", "draining", "fenced"]);
export type TWorkerReadiness = z.infer<typeof ZWorkerReadinessSchema>;

/** `POST /api/server/drain`. */
export const ZDrainResultSchema = z
  .object({
    worker: z.string(),
    state: ZWorkerReadinessSchema,
    handedOver: z.number().int().describe("Sessions it stopped and released for other workers to claim"),
  })
  .meta({ id: "DrainResult" });
export type TDrainResult = z.infer<typeof ZDrainResultSchema>;
