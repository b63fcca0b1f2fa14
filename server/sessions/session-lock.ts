import { remember } from "../remember";

/**
 * One mutating operation per session name at a time, across the store and the engine, so concurrent
 * requests on one session never interleave. Different names never wait for each other.
 */
const tails = remember("sessionLocks", () => new Map<string, Promise<unknown>>());

export function withSessionLock<T>(name: string, operation: () => Promise<T>): Promise<T> {
  const previous = tails.get(name) ?? Promise.resolve();
  const result = previous.then(operation, operation);
  const tail = result.catch(() => undefined);
  tails.set(name, tail);
  void tail.then(() => {
    if (tails.get(name) === tail) tails.delete(name);
  });
  return result;
}
