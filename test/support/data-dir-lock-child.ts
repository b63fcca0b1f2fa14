/**
 * A process that locks a data folder (server/data-dir-lock.ts) and keeps it, for server/data-dir-lock.test.ts:
 * prints `locked` and waits to be killed, or prints the refusal and exits with 3.
 */
import { lockDataDir } from "@/server/data-dir-lock";

try {
  await lockDataDir(process.argv[2]!);
  process.stdout.write("locked\n");
  setInterval(() => undefined, 60_000);
} catch (error) {
  process.stdout.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(3);
}
