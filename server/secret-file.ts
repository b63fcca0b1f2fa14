import fs from "node:fs";
import path from "node:path";

export interface TSecretFile {
  value: string;
  /** True on the start that generated it (the one place a caller may print it). */
  created: boolean;
  file: string;
}

/**
 * The one way to keep a generated secret (API key, dashboard password, cookie secret) in the data
 * folder: read the one-line file, or generate the value and create the file exclusively (`wx`) with
 * mode 600. Exclusive creation means two processes sharing a data folder end up with the same value:
 * the one that loses the race reads the winner's. An empty file (an interrupted first start) counts
 * as missing.
 */
export function readOrCreateSecretFile(options: { dir: string; name: string; generate: () => string }): TSecretFile {
  const file = path.join(options.dir, options.name);
  const existing = readSecret(file);
  if (existing) return { value: existing, created: false, file };
  fs.mkdirSync(options.dir, { recursive: true });
  // An empty file would make `wx` fail forever; remove it so the exclusive create decides the winner.
  if (existing === "") fs.rmSync(file, { force: true });
  const value = options.generate();
  try {
    fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    const winner = (error as NodeJS.ErrnoException).code === "EEXIST" ? readSecret(file) : null;
    if (winner) return { value: winner, created: false, file };
    throw error;
  }
  return { value, created: true, file };
}

/** The trimmed content; "" for an empty file; null when there is no file. */
function readSecret(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
