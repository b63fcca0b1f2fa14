import type { TDrainResult, TWorker } from "@/lib/cluster";
import { AppError } from "@/lib/errors";
import type { ClusterNode } from "../cluster/cluster-node";
import { recall } from "../remember";
import { sessionsContext } from "../sessions/context";

export const CLUSTER_NODE_KEY = "clusterNode";

/** This process's cluster membership, or null in the embedded SQLite mode (server.ts remembers `{ node }`). */
export function clusterNode(): ClusterNode | null {
  return recall<{ node: ClusterNode | null }>(CLUSTER_NODE_KEY).node;
}

/** GET /api/server/workers: every worker; in the embedded mode, this process alone. */
export async function listWorkers(): Promise<TWorker[]> {
  const node = clusterNode();
  if (node) {
    return (await node.workers()).map((worker) => ({
      id: worker.id,
      url: worker.url,
      state: worker.state,
      sessions: worker.sessions,
      capacity: worker.capacity,
      leaseUntil: worker.leaseUntil.toISOString(),
      startedAt: worker.startedAt.toISOString(),
    }));
  }
  const ctx = sessionsContext();
  return [
    {
      id: ctx.env.workerId ?? "embedded",
      url: `http://localhost:${ctx.env.port}`,
      state: "alive",
      sessions: ctx.host.runningNames().length,
      capacity: null,
      leaseUntil: null,
      startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    },
  ];
}

/** POST /api/server/drain: this worker hands its sessions to the others and takes no new ones. */
export async function drainWorker(): Promise<TDrainResult> {
  const node = clusterNode();
  if (!node) throw new AppError("bad_request", "Draining needs cluster mode (a PostgreSQL DATABASE_URL): this server is the only worker");
  const handedOver = await node.drain();
  return { worker: node.workerId, state: node.state, handedOver };
}
