/** Injected time, so delays (restarts, watchdogs, retries) are unit-tested with a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
}

export type ClockTimer = { readonly id: unknown };

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return { id: handle };
  },
  clearTimeout: (timer) => clearTimeout(timer.id as NodeJS.Timeout),
};
