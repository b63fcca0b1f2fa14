import { z } from "zod";

/**
 * Which event a webhook's test is, and the targets a session's test can go to
 * (GET /api/sessions/{session}/webhooks/test, the dashboard's picker). Universal: no Node imports.
 */

/** The events Switchboard emits (docs/webhooks.md), so the ones a test can be an example of. */
export const TESTABLE_EVENTS = ["session.status", "engine.event"] as const;
export type TTestableEvent = (typeof TESTABLE_EVENTS)[number];

/** Marks a test's payload (in its `data`): receivers tell a test from the real event by it. */
export const TEST_MARKER = { test: true } as const;
/** The `event` of a test sent as `engine.event`, in its payload. */
export const TEST_ENGINE_EVENT = "webhook.test";

/**
 * The event a test to a webhook subscribed to `events` is: the first of them Switchboard emits (`*`
 * stands for session.status), else `engine.event`, which that webhook did not subscribe to.
 */
export function testEventFor(events: readonly string[]): { event: TTestableEvent; subscribed: boolean } {
  for (const name of events) {
    if (name === "*") return { event: "session.status", subscribed: true };
    const testable = TESTABLE_EVENTS.find((event) => event === name);
    if (testable) return { event: testable, subscribed: true };
  }
  return { event: "engine.event", subscribed: false };
}

export const ZWebhookTestTargetSchema = z
  .object({
    webhook: z.union([z.number().int().min(0), z.literal("global")]).describe("What to send as `webhook` to test this target"),
    source: z.enum(["session", "global"]),
    index: z.number().int().nullable().describe("Position in config.webhooks; null for the global webhook"),
    url: z.string(),
    events: z.array(z.string()).describe("What the webhook subscribes to"),
    event: z.enum(TESTABLE_EVENTS).describe("The event its test is: the first of its events Switchboard emits, else engine.event"),
    subscribed: z
      .boolean()
      .describe("false: the webhook subscribes to no event Switchboard emits, so its test is outside its subscription"),
  })
  .meta({ id: "WebhookTestTarget" });
export type TWebhookTestTarget = z.infer<typeof ZWebhookTestTargetSchema>;

export const ZWebhookTestTargetListSchema = z
  .object({ targets: z.array(ZWebhookTestTargetSchema).describe("The session's usable webhooks, then the global one when configured") })
  .meta({ id: "WebhookTestTargetList" });
export type TWebhookTestTargetList = z.infer<typeof ZWebhookTestTargetListSchema>;
