type Listener = (...args: unknown[]) => unknown;

/** The subscribe/unsubscribe pair of an event emitter such as puppeteer's Page. */
export interface ListenerRegistry {
  on(event: string | symbol, listener: Listener): unknown;
  off(event: string | symbol, listener?: Listener): unknown;
}

/**
 * From now on, every listener added to `emitter` hands its failures (a throw or a rejected promise) to
 * `onFailure` instead of leaving an unhandled rejection, which kills Node 20. whatsapp-web.js adds async
 * page listeners (`framenavigated` re-injects, `response` reads the page body) that reject when the
 * browser closes under them, e.g. destroy() during a re-inject after a logout (docs/whatsapp-web.md, pitfall 8).
 * `off` (and so `once`) keeps working with the listener as originally given.
 */
export function catchListenerFailures(emitter: ListenerRegistry, onFailure: (event: string | symbol, error: unknown) => void): void {
  const on = emitter.on.bind(emitter);
  const off = emitter.off.bind(emitter);
  const wrappers = new WeakMap<Listener, Listener>();
  emitter.on = (event, listener) => {
    const wrapper: Listener = (...args) => {
      try {
        const result = listener(...args);
        if (isThenable(result)) result.then(undefined, (error: unknown) => onFailure(event, error));
      } catch (error) {
        onFailure(event, error);
      }
    };
    wrappers.set(listener, wrapper);
    return on(event, wrapper);
  };
  emitter.off = (event, listener) => off(event, listener && (wrappers.get(listener) ?? listener));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
