/**
 * Process-wide singletons. server.ts (loaded by tsx) and the route handlers (bundled by Next) are
 * separate module graphs in one process, so a module-level variable is not shared between them;
 * globalThis under a Symbol.for key is.
 */
export function remember<T>(key: string, factory: () => T): T {
  const slot = Symbol.for(`switchboard.${key}`);
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  return (store[slot] ??= factory());
}

/** Read a singleton that server.ts must have created; throws a clear error otherwise. */
export function recall<T>(key: string): T {
  const value = (globalThis as unknown as Record<symbol, T | undefined>)[Symbol.for(`switchboard.${key}`)];
  if (value === undefined) throw new Error(`${key} is not initialised: start Switchboard through server.ts`);
  return value;
}
