import { describe, expect, it } from "vitest";
import { supersedes, withSessionLifecycle, withSessionLock, type TLifecycleCommand } from "./session-lock";

describe("supersedes", () => {
  it("a later stop or restart decides; a later start only after a start or a stop", () => {
    const commands: TLifecycleCommand[] = ["start", "stop", "restart"];
    const table = Object.fromEntries(commands.map((later) => [later, commands.filter((earlier) => supersedes(later, earlier))]));
    expect(table).toEqual({
      start: ["start", "stop"],
      stop: ["start", "stop", "restart"],
      restart: ["start", "stop", "restart"],
    });
  });
});

describe("withSessionLifecycle", () => {
  it("collapses a burst to its last desired state: only the commands nothing later decides reach the engine", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = withSessionLock("burst", () => gate);
    const engine: string[] = [];
    const burst: TLifecycleCommand[] = ["start", "stop", "restart", "start", "stop", "start"];
    const answers = burst.map((command, i) =>
      withSessionLifecycle("burst", command, async (superseded) => {
        if (!superseded()) engine.push(command);
        return i;
      }),
    );
    release();
    await held;
    // Every caller is answered, in order; only the last start touched the engine.
    expect(await Promise.all(answers)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(engine).toEqual(["start"]);
  });

  it("keeps a restart that only a start follows", async () => {
    const engine: string[] = [];
    const run = (command: TLifecycleCommand) =>
      withSessionLifecycle("restart-then-start", command, async (superseded) => {
        if (!superseded()) engine.push(command);
      });
    await Promise.all([run("restart"), run("start")]);
    expect(engine).toEqual(["restart", "start"]);
  });

  it("forgets a session's commands once they are done", async () => {
    await withSessionLifecycle("done", "stop", async (superseded) => expect(superseded()).toBe(false));
    await withSessionLifecycle("done", "start", async (superseded) => expect(superseded()).toBe(false));
  });
});
