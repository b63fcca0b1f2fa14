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
