import { describe, expect, it } from "vitest";
import { rank, rankWeighted } from "./rendezvous";

const workers = ["w1", "w2", "w3"];
const keys = Array.from({ length: 3000 }, (_, i) => `session-${i}`);

describe("rendezvous hashing", () => {
  it("ranks every worker once, the same way on every call", () => {
    const ranked = rank("alpha", workers);
    expect([...ranked].sort()).toEqual(workers);
    expect(rank("alpha", [...workers].reverse())).toEqual(ranked);
  });

  it("spreads keys evenly over equal workers", () => {
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(rank(key, workers)[0], (counts.get(rank(key, workers)[0]) ?? 0) + 1);
    for (const id of workers) expect(counts.get(id)).toBeGreaterThan(850);
  });

  it("moves only the keys of a worker that leaves, each to the worker it ranked next", () => {
    for (const key of keys.slice(0, 500)) {
      const before = rank(key, workers);
      const after = rank(key, ["w1", "w3"]);
      if (before[0] !== "w2") expect(after[0]).toBe(before[0]);
      else expect(after[0]).toBe(before[1]);
    }
  });

  it("gives each worker a share in proportion to its weight, and none to a weight of 0", () => {
    const weighted = [
      { id: "big", weight: 3 },
      { id: "small", weight: 1 },
      { id: "full", weight: 0 },
    ];
    const wins = keys.filter((key) => rankWeighted(key, weighted)[0] === "big").length;
    expect(wins / keys.length).toBeGreaterThan(0.7);
    expect(wins / keys.length).toBeLessThan(0.8);
    expect(rankWeighted("x", weighted)).not.toContain("full");
  });
});
