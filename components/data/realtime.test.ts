import { QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sampleDelivery } from "@/lib/sample-delivery";
import type { TDeliveryList } from "@/lib/webhook-delivery";
import { queryKeys } from "./query-keys";
import { Realtime } from "./realtime";

const delivery = sampleDelivery({ session: "s1", event: "engine.event", state: "delivered", attempts: 1, lastStatusCode: 200 });
const listKey = queryKeys.deliveryList("s1", { limit: 20, offset: 0 });

function setup() {
  const queryClient = new QueryClient();
  queryClient.setQueryData<TDeliveryList>(listKey, { items: [], total: 0 });
  const errors = vi.spyOn(console, "error").mockImplementation(() => {});
  return { realtime: new Realtime(queryClient), list: () => queryClient.getQueryData<TDeliveryList>(listKey), errors };
}

afterEach(() => vi.restoreAllMocks());

describe("pushed messages", () => {
  it("a delivery.update puts the delivery on the open list", () => {
    const { realtime, list, errors } = setup();
    realtime.receive("delivery.update", { session: "s1", delivery });
    expect(list()).toEqual({ items: [delivery], total: 1 });
    expect(errors).not.toHaveBeenCalled();
  });

  it("a delivery.update older than the row on screen leaves the row as it is", () => {
    const { realtime, list } = setup();
    realtime.receive("delivery.update", { session: "s1", delivery });
    realtime.receive("delivery.update", {
      session: "s1",
      delivery: { ...delivery, state: "in_flight", attempts: 0, lastStatusCode: null },
    });
    expect(list()).toEqual({ items: [delivery], total: 1 });
  });

  it("a delivery.update carrying { delivery, attempt } is dropped and logged, the cache untouched", () => {
    const { realtime, list, errors } = setup();
    realtime.receive("delivery.update", { session: "s1", delivery: { delivery, attempt: null } });
    expect(list()).toEqual({ items: [], total: 0 });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0][0]).toMatch(/^Dropped a "delivery.update" message that does not match its schema: .*delivery\.state: /);
  });

  it("an event with a wrong shape never reaches the live event log", () => {
    const { realtime, errors } = setup();
    realtime.receive("event", { session: "s1", event: "message" });
    realtime.receive("engine.event", { session: "s1", event: "ready", data: null, timestamp: 5 });
    expect(realtime.events.read("s1").map((item) => item.event)).toEqual(["ready"]);
    expect(errors).toHaveBeenCalledTimes(1);
  });
});
