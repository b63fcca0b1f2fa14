import { describe, expect, it, vi } from "vitest";
import { FakeClock } from "@/test/support/fake-clock";
import { BootProgress, SLOW_STEP_MS } from "./boot-progress";

function setup() {
  const clock = new FakeClock();
  const logger = { warn: vi.fn() };
  return { clock, logger, boot: new BootProgress(clock, logger) };
}

describe("BootProgress", () => {
  it("says nothing about a step that finishes in time, and returns its result", async () => {
    const { clock, logger, boot } = setup();
    await expect(boot.step("the database", async () => 7)).resolves.toBe(7);
    await clock.advance(3 * SLOW_STEP_MS);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(clock.pending()).toBe(0);
  });

  it("names a step that hangs, every SLOW_STEP_MS until it ends, then stops", async () => {
    const { clock, logger, boot } = setup();
    let finish!: () => void;
    const step = boot.step("joining the cluster", () => new Promise<void>((resolve) => (finish = resolve)));
    await clock.advance(SLOW_STEP_MS - 1);
    expect(logger.warn).not.toHaveBeenCalled();
    await clock.advance(2 * SLOW_STEP_MS + 1);
    expect(logger.warn).toHaveBeenCalledTimes(3);
    expect(logger.warn).toHaveBeenLastCalledWith(
      expect.objectContaining({ step: "joining the cluster", stepMs: 3 * SLOW_STEP_MS }),
      "still starting: waiting for joining the cluster for 30 s",
    );
    finish();
    await step;
    await clock.advance(3 * SLOW_STEP_MS);
    expect(logger.warn).toHaveBeenCalledTimes(3);
  });

  it("passes a step's failure on, and stops watching it", async () => {
    const { clock, logger, boot } = setup();
    await expect(boot.step("the migrations", () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    await clock.advance(2 * SLOW_STEP_MS);
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
