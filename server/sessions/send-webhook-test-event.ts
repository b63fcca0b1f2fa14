import { AppError } from "@/lib/errors";
import type { TWebhookDelivery, TWebhookTargetRef } from "@/lib/webhook-delivery";
import { TEST_ENGINE_EVENT, TEST_MARKER, testEventFor, type TWebhookTestTarget } from "@/lib/webhook-test-event";
import type { EngineHost } from "../engines/engine-host";
import type { TWebhookTarget } from "../webhooks/outbox";
import type { SessionsContext } from "./context";
import { getStoredSessionOrThrow } from "./session-repository";

type TestContext = Pick<SessionsContext, "db" | "dispatcher" | "publisher"> & { host: Pick<EngineHost, "snapshot"> };

/**
 * GET /api/sessions/{session}/webhooks/test: where a test can go, the session's usable webhooks (a url
 * and events) then the global one when configured, each with the event its test is.
 */
export async function listWebhookTestTargets(
  ctx: Pick<SessionsContext, "db" | "publisher">,
  session: string,
): Promise<{ targets: TWebhookTestTarget[] }> {
  const stored = await getStoredSessionOrThrow(ctx.db, session);
  return { targets: ctx.publisher.webhooksFor(stored.config).map(describeTarget) };
}

function describeTarget(target: TWebhookTarget): TWebhookTestTarget {
  return {
    webhook: target.source === "global" ? "global" : target.index!,
    source: target.source,
    index: target.index,
    url: target.config.url,
    events: [...target.config.events],
    ...testEventFor(target.config.events),
  };
}

/**
 * POST /api/sessions/{session}/webhooks/test: an example of an event the chosen webhook subscribed to
 * (testEventFor: its first event Switchboard emits), its payload marked `data.test: true`, through the
 * same outbox and retries as every event. A webhook subscribed to none of them gets `engine.event`
 * `{event: "webhook.test"}`, outside its subscription (the dashboard says so before sending).
 * `webhook` is an index into config.webhooks, "global", or the URL of a configured webhook; one the
 * session does not have is a 400 on the field `webhook`.
 */
export async function sendWebhookTestEvent(ctx: TestContext, session: string, webhook: TWebhookTargetRef): Promise<TWebhookDelivery> {
  const stored = await getStoredSessionOrThrow(ctx.db, session);
  const targets = ctx.publisher.webhooksFor(stored.config);
  const target =
    typeof webhook === "number"
      ? targets.find((t) => t.source === "session" && t.index === webhook)
      : webhook === "global"
        ? targets.find((t) => t.source === "global")
        : targets.find((t) => t.config.url === webhook);
  if (!target) {
    const message =
      typeof webhook === "number"
        ? `session '${session}' has no webhook at index ${webhook} of config.webhooks with a url and at least one event`
        : webhook === "global"
          ? "no global webhook is configured (WHATSAPP_HOOK_URL with WHATSAPP_HOOK_EVENTS)"
          : `session '${session}' has no webhook with the url ${webhook}`;
    throw new AppError("validation_failed", `webhook: ${message}`, { details: [{ field: "webhook", message }] });
  }
  const { event } = testEventFor(target.config.events);
  const data = {
    ...TEST_MARKER,
    message: "Test event from Switchboard",
    webhook: { source: target.source, index: target.index, url: target.config.url },
  };
  const snapshot = ctx.host.snapshot(session);
  const payload =
    event === "session.status"
      ? // The session's real status and history, as a session.status carries them; `data` says it is a test.
        { name: session, status: snapshot.status, statuses: snapshot.statuses, data }
      : { event: TEST_ENGINE_EVENT, data };
  const envelope = ctx.publisher.createEnvelope({ session, event, me: stored.me, config: stored.config, payload });
  const [delivery] = await ctx.dispatcher.enqueue([{ envelope, body: JSON.stringify(envelope), targets: [target] }]);
  if (!delivery) throw new AppError("internal_error", "The test event was not stored");
  return delivery;
}
