import type { TSession, TSessionResources } from "@/lib/session";
import { redactSecrets } from "@/lib/session-secrets";
import { valueWithin } from "@/lib/timeout";
import type { OwnedStatus, SessionsContext } from "./context";
import type { StoredSession } from "./session-repository";
import type { ResourceSample } from "../engines/resource-sampler";

const ENGINE_INFO_TIMEOUT_MS = 1000;

/** `timestamps.activity`: the last API activity stored or the last status change seen, whichever is later; null if none. */
export function sessionActivity(statuses: TSession["statuses"], stored: Pick<StoredSession, "lastActivityAt">): number | null {
  const latest = statuses.at(-1);
  // A folded entry's latest QR refresh is its latest change.
  const lastChange = latest ? (latest.lastTimestamp ?? latest.timestamp) : null;
  return Math.max(stored.lastActivityAt?.getTime() ?? 0, lastChange ?? 0) || null;
}

/**
 * The API's view of a session: stored config and desired state joined with the live status.
 * `withEngineInfo` asks the running browser for its facts (single-session responses only, as in WAHA);
 * `withLogin` adds the saved login's figures in cluster mode (single-session responses only).
 * The config's secrets are redacted (lib/session-secrets.ts) unless `revealSecrets` is set.
 */
export async function toSessionInfo(
  ctx: SessionsContext,
  stored: StoredSession,
  options: { withEngineInfo?: boolean; revealSecrets?: boolean; owners?: Map<string, OwnedStatus>; withLogin?: boolean } = {},
): Promise<TSession> {
  const snapshot = ctx.host.snapshot(stored.name);
  // Cluster mode: a session that runs on another worker shows the status its owner reports.
  const runsHere = snapshot.status !== "STOPPED";
  const owned = ctx.cluster && !runsHere ? (options.owners ?? (await ctx.cluster.statusesOf([stored.name]))).get(stored.name) : undefined;
  const assignedWorker = !ctx.cluster ? stored.worker : runsHere ? ctx.cluster.workerId : (owned?.workerId ?? null);
  const engine = options.withEngineInfo ? ctx.host.engine(stored.name) : null;
  const engineInfo: Record<string, unknown> = engine ? await valueWithin(engine.info(), ENGINE_INFO_TIMEOUT_MS, {}) : {};
  const login = options.withLogin && ctx.cluster ? { login: await ctx.cluster.loginOf(stored.name) } : {};
  const activity = sessionActivity(snapshot.statuses, stored);
  return {
    name: stored.name,
    status: owned?.status ?? snapshot.status,
    config: options.revealSecrets ? stored.config : redactSecrets(stored.config),
    me: snapshot.me ?? stored.me,
    // The version the page runs: asked of the page for one session, as its last probe saw it in lists.
    engine: {
      ...engineInfo,
      WWebVersion: typeof engineInfo.WWebVersion === "string" ? engineInfo.WWebVersion : snapshot.webVersion,
      engine: "WEBJS",
    },
    presence: snapshot.presence,
    timestamps: { activity },
    statuses: snapshot.statuses,
    assignedWorker,
    // What this process saw, else what an earlier one stored.
    health: {
      ...snapshot.health,
      lastFailure: snapshot.health.lastFailure ?? stored.lastFailure,
      lastDisconnect: snapshot.health.lastDisconnect ?? stored.lastDisconnect,
    },
    // Cluster mode: a session owned elsewhere shows the figures its owner wrote (null once stale).
    resources: runsHere || !ctx.cluster ? toResources(ctx.resources.current(stored.name)) : (owned?.resources ?? null),
    ...login,
  };
}

/** A sample as the API shows it; null without one. */
export function toResources(sample: ResourceSample | null): TSessionResources | null {
  if (!sample) return null;
  return {
    memory: { rss: sample.rssBytes, pss: sample.pssBytes },
    cpu: sample.cpuPercent === null ? null : Math.round(sample.cpuPercent * 10) / 10,
    processes: sample.processes,
    sampledAt: sample.timestamp,
  };
}
