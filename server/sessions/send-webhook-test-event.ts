import { AppError } from "@/lib/errors";
import type { TWebhookDelivery, TWebhookTargetRef } from "@/lib/webhook-delivery";
import type { SessionsContext } from "./context";
import { getStoredSessionOrThrow } from "./session-repository";

/** The `event` of the synthetic engine.event payload. */
export const TEST_ENGINE_EVENT = "webhook.test";

/**
 * POST /api/sessions/{session}/webhooks/test: a synthetic `engine.event` (payload
 * `{event: "webhook.test", data}`) to one webhook of the session, through the same outbox and retries
 * as every event, whatever events the webhook subscribes to. `webhook` is an index into
 * config.webhooks, "global", or the URL of a configured webhook.
 */
export async function sendWebhookTestEvent(
  ctx: Pick<SessionsContext, "db" | "dispatcher" | "publisher">,
  session: string,
  webhook: TWebhookTargetRef,
): Promise<TWebhookDelivery> {
  const stored = await getStoredSessionOrThrow(ctx.db, session);
  const targets = ctx.publisher.webhooksFor(stored.config);
  const target =
    typeof webhook === "number"
      ? targets.find((t) => t.source === "session" && t.index === webhook)
      : webhook === "global"
        ? targets.find((t) => t.source === "global")
        : targets.find((t) => t.config.url === webhook);
  if (!target) {
    const which = typeof webhook === "number" ? `config.webhooks[${webhook}]` : webhook === "global" ? "the global webhook" : webhook;
    throw new AppError("not_found", `Session '${session}' has no webhook ${which} (a webhook needs a url and at least one event)`);
  }
  const envelope = ctx.publisher.createEnvelope({
    session,
    event: "engine.event",
    me: stored.me,
    config: stored.config,
    payload: {
      event: TEST_ENGINE_EVENT,
      data: { message: "Test event from Switchboard", webhook: { source: target.source, index: target.index, url: target.config.url } },
    },
  });
  const [delivery] = await ctx.dispatcher.enqueue([{ envelope, body: JSON.stringify(envelope), targets: [target] }]);
  if (!delivery) throw new AppError("internal_error", "The test event was not stored");
  return delivery;
}
