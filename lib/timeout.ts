/**
 * The one timeout helper: wait for a promise at most so long, and say how it ended. It never rejects
 * and never cancels the promise (the caller decides what a late or failed answer means). Universal:
 * it runs on the global timers, or on injected ones (a Clock, FakeClock in tests).
 */

/** Timers to run on; `Clock` (server/engines/clock.ts) fits. */
export interface TTimers<THandle> {
  setTimeout(callback: () => void, ms: number): THandle;
  clearTimeout(handle: THandle): void;
}

export type TSettledWithin<T> = { status: "fulfilled"; value: T } | { status: "rejected"; reason: unknown } | { status: "timed-out" };

const globalTimers: TTimers<ReturnType<typeof setTimeout>> = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

/** How `promise` ended within `ms` (Infinity: no limit): fulfilled, rejected, or still pending when the time ran out. */
export function settleWithin<T>(promise: PromiseLike<T>, ms: number): Promise<TSettledWithin<T>>;
export function settleWithin<T, THandle>(promise: PromiseLike<T>, ms: number, timers: TTimers<THandle>): Promise<TSettledWithin<T>>;
export function settleWithin<T>(
  promise: PromiseLike<T>,
  ms: number,
  timers: TTimers<unknown> = globalTimers as TTimers<unknown>,
): Promise<TSettledWithin<T>> {
  return new Promise((resolve) => {
    // No timer for "no limit": Node would fire a timer of Infinity ms after 1 ms.
    const timer = ms === Infinity ? null : timers.setTimeout(() => resolve({ status: "timed-out" }), ms);
    const stop = () => {
      if (timer !== null) timers.clearTimeout(timer);
    };
    promise.then(
      (value) => {
        stop();
        resolve({ status: "fulfilled", value });
      },
      (reason: unknown) => {
        stop();
        resolve({ status: "rejected", reason });
      },
    );
  });
}

/** The value, or `fallback` when the promise rejects or takes longer than `ms`. */
export async function valueWithin<T, F>(promise: PromiseLike<T>, ms: number, fallback: F): Promise<T | F> {
  const outcome = await settleWithin(promise, ms);
  return outcome.status === "fulfilled" ? outcome.value : fallback;
}
