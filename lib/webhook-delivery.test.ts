import { describe, expect, it } from "vitest";
import { sampleDelivery } from "./sample-delivery";
import { keepLaterDeliveries, laterDelivery } from "./webhook-delivery";

describe("laterDelivery", () => {
  const pending = sampleDelivery({ state: "pending", attempts: 0 });
  const sending = sampleDelivery({ state: "in_flight", attempts: 0 });
  const retrying = sampleDelivery({ state: "pending", attempts: 1, lastStatusCode: 503 });
  const delivered = sampleDelivery({ state: "delivered", attempts: 2, lastStatusCode: 200 });
  const redelivered = sampleDelivery({ state: "pending", attempts: 0, cycle: 2 });

  it("orders the snapshots of one delivery by progress, whichever arrives last", () => {
    const life = [pending, sending, retrying, delivered, redelivered];
    life.forEach((earlier, i) =>
      life.slice(i + 1).forEach((later) => {
        expect(laterDelivery(earlier, later)).toBe(later);
        expect(laterDelivery(later, earlier)).toBe(later);
      }),
    );
  });

  it("takes the incoming snapshot on a tie", () => {
    const moved = sampleDelivery({ state: "pending", attempts: 0, nextAttemptAt: 99 });
    expect(laterDelivery(pending, moved)).toBe(moved);
  });
});

describe("keepLaterDeliveries", () => {
  it("keeps a pushed state that the fetched list has not seen yet, and takes the rest from the list", () => {
    const pushed = sampleDelivery({ id: "dlv_a", state: "delivered", attempts: 1, cycle: 2 });
    const stale = sampleDelivery({ id: "dlv_a", state: "in_flight", attempts: 0, cycle: 2 });
    const other = sampleDelivery({ id: "dlv_b" });
    const fetched = { items: [sampleDelivery({ id: "dlv_c" }), stale, other], total: 3 };
    expect(keepLaterDeliveries({ items: [pushed], total: 1 }, fetched)).toEqual({ items: [fetched.items[0], pushed, other], total: 3 });
    expect(keepLaterDeliveries(undefined, fetched)).toBe(fetched);
  });
});
