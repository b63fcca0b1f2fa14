import { KeyedSerialQueue } from "@/lib/serial-queue";
import { remember } from "../remember";

/**
 * One mutating operation per session name at a time, across the store and the engine, so concurrent
 * requests on one session never interleave. Different names never wait for each other. Remembered,
 * because server.ts and the route handlers are separate module graphs that must share the lock.
 */
const locks = remember("sessionLocks", () => new KeyedSerialQueue<string>());

export function withSessionLock<T>(name: string, operation: () => Promise<T>): Promise<T> {
  return locks.run(name, operation);
}

/** The commands that only move a session towards a desired state (PUT and logout change more: never skipped). */
export type TLifecycleCommand = "start" | "stop" | "restart";

/**
 * Whether a later command decides the outcome of an earlier one, so the earlier one need not touch
 * the engine: a stop or a restart decides it whatever came before; a start only after a start or a
 * stop (after a restart it would be a no-op, and the restart's fresh browser would be lost).
 */
export function supersedes(later: TLifecycleCommand, earlier: TLifecycleCommand): boolean {
  return later !== "start" || earlier !== "restart";
}

const queuedCommands = remember("sessionLifecycleCommands", () => new Map<string, { command: TLifecycleCommand }[]>());

/**
 * withSessionLock for start, stop and restart, so a burst of them collapses to its last desired
 * state: `operation` is told, when its turn comes, whether a command queued behind it supersedes it,
 * and then skips the engine (a queued start that a later stop cancels never launches a browser).
 * Each caller still gets its answer, with the session as it stands when its turn ends.
 */
export function withSessionLifecycle<T>(
  name: string,
  command: TLifecycleCommand,
  operation: (superseded: () => boolean) => Promise<T>,
): Promise<T> {
  const ticket = { command };
  const queued = queuedCommands.get(name) ?? [];
  queued.push(ticket);
  queuedCommands.set(name, queued);
  const superseded = () => {
    const mine = queued.indexOf(ticket);
    return queued.slice(mine + 1).some((later) => supersedes(later.command, command));
  };
  return withSessionLock(name, () => operation(superseded)).finally(() => {
    queued.splice(queued.indexOf(ticket), 1);
    if (queued.length === 0 && queuedCommands.get(name) === queued) queuedCommands.delete(name);
  });
}
