import type { TWebhookDelivery } from "./webhook-delivery";

/** Test-only: a valid webhook delivery as the API returns it, with the fields a test cares about replaced. */
export function sampleDelivery(fields: Partial<TWebhookDelivery> = {}): TWebhookDelivery {
  return {
    id: "dlv_1",
    eventId: "evt_1",
    session: "default",
    event: "session.status",
    url: "http://127.0.0.1:9/hook",
    webhook: { source: "session", index: 0 },
    signed: false,
    state: "pending",
    attempts: 0,
    maxAttempts: 16,
    cycle: 1,
    nextAttemptAt: null,
    lastStatusCode: null,
    lastError: null,
    createdAt: 1,
    updatedAt: 1,
    finishedAt: null,
    ...fields,
  };
}
