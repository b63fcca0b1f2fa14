import { createHash } from "node:crypto";

/**
 * Rendezvous (highest random weight) hashing: every worker ranks the candidates for a key the same way
 * without talking to the others, and when a worker joins or leaves only the keys it ranked first move.
 * Used to place sessions and to spread a dead worker's webhook rows.
 */

/** `workers` ordered best first for `key`. */
export function rank(key: string, workers: readonly string[]): string[] {
  return rankWeighted(
    key,
    workers.map((id) => ({ id, weight: 1 })),
  );
}

/**
 * `workers` ordered best first for `key`, each worker winning a share of the keys in proportion to its
 * weight (weighted rendezvous: score = -weight / ln(u), u uniform in (0, 1) from the hash).
 */
export function rankWeighted(key: string, workers: readonly { id: string; weight: number }[]): string[] {
  return workers
    .filter((worker) => worker.weight > 0)
    .map((worker) => ({ id: worker.id, score: -worker.weight / Math.log(unitHash(`${key}\u0000${worker.id}`)) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .map((worker) => worker.id);
}

/** A number in (0, 1) from the first 52 bits of SHA-256: never 0, so its logarithm is finite. */
function unitHash(text: string): number {
  const digest = createHash("sha256").update(text).digest();
  const bits = digest.readUIntBE(0, 6) * 2 ** 4 + (digest[6] >> 4);
  return (bits + 1) / (2 ** 52 + 2);
}
