import { AppError } from "@/lib/errors";
import { ZSessionConfigSchema } from "@/lib/session-config";
import type {
  TDeliveryList,
  TDeliveryListQuery,
  TWebhookDelivery,
  TWebhookDeliveryDetail,
  TWebhookTargetRef,
} from "@/lib/webhook-delivery";
import type { Db } from "@/server/db";
import type { EventPublisher } from "@/server/events/publish-event";
import type { WebhookDispatcher } from "./dispatcher";
import { toAttemptDto, toDeliveryDto } from "./outbox";

/**
 * The services behind the delivery routes and the dashboard:
 *   GET  /api/sessions/{session}/webhooks/deliveries            -> listDeliveries
 *   GET  /api/sessions/{session}/webhooks/deliveries/{id}       -> getDelivery
 *   POST /api/sessions/{session}/webhooks/deliveries/{id}/redeliver -> redeliver
 *   POST /api/sessions/{session}/webhooks/test                  -> sendTestEvent
 * Reads go straight to the database; every write goes through the dispatcher.
 */
export interface WebhookDeliveriesOptions {
  db: Db;
  dispatcher: Pick<WebhookDispatcher, "enqueue" | "requeue">;
  publisher: Pick<EventPublisher, "webhooksFor" | "createEnvelope">;
}

export interface WebhookDeliveries {
  /** Newest first. `total` counts every row matching the filter. */
  listDeliveries(query: { session: string } & Partial<TDeliveryListQuery>): Promise<TDeliveryList>;
  /** One delivery with every attempt and the envelope. Throws not_found. */
  getDelivery(id: string, options?: { session?: string }): Promise<TWebhookDeliveryDetail>;
  /**
   * Sends the stored request again: same body, same X-Webhook-Request-Id, the webhook config of the
   * time it was emitted. delivered/dead start a new attempt cycle; a pending row is tried now; an
   * in_flight row is left alone. Throws not_found.
   */
  redeliver(id: string, options?: { session?: string }): Promise<TWebhookDelivery>;
  /**
   * Sends a synthetic `engine.event` (payload `{event: "webhook.test", data}`) to one webhook of the
   * session through the outbox and dispatcher, whatever events it subscribes to. `webhook` is an index
   * into config.webhooks, "global", or the URL of a configured webhook. Throws session_not_found / not_found.
   */
  sendTestEvent(session: string, webhook: TWebhookTargetRef): Promise<TWebhookDelivery>;
}

export const TEST_ENGINE_EVENT = "webhook.test";

export function createWebhookDeliveries(options: WebhookDeliveriesOptions): WebhookDeliveries {
  const { db, dispatcher, publisher } = options;

  const findOrThrow = async (id: string, session: string | undefined) => {
    const row = await db.webhookDelivery.findUnique({ where: { id } });
    if (!row || (session !== undefined && row.session !== session)) {
      throw new AppError("not_found", `Webhook delivery '${id}' not found`);
    }
    return row;
  };

  return {
    async listDeliveries(query) {
      const where = {
        session: query.session,
        ...(query.state ? { state: query.state } : {}),
        ...(query.event ? { event: query.event } : {}),
      };
      const [rows, total] = await Promise.all([
        db.webhookDelivery.findMany({ where, orderBy: { id: "desc" }, skip: query.offset ?? 0, take: query.limit ?? 50 }),
        db.webhookDelivery.count({ where }),
      ]);
      return { items: rows.map(toDeliveryDto), total };
    },

    async getDelivery(id, opts) {
      await findOrThrow(id, opts?.session);
      const row = await db.webhookDelivery.findUnique({
        where: { id },
        include: {
          attemptLog: { orderBy: [{ cycle: "asc" }, { number: "asc" }] },
          envelope: { select: { body: true } },
        },
      });
      if (!row) throw new AppError("not_found", `Webhook delivery '${id}' not found`);
      const { attemptLog, envelope, ...delivery } = row;
      return {
        ...toDeliveryDto(delivery),
        attemptLog: attemptLog.map(toAttemptDto),
        envelope: JSON.parse(envelope.body) as unknown,
      };
    },

    async redeliver(id, opts) {
      await findOrThrow(id, opts?.session);
      const delivery = await dispatcher.requeue(id);
      if (!delivery) throw new AppError("not_found", `Webhook delivery '${id}' not found`);
      return delivery;
    },

    async sendTestEvent(session, webhook) {
      const stored = await db.session.findUnique({ where: { name: session } });
      if (!stored) throw new AppError("session_not_found", `Session '${session}' not found`);
      const parsed = ZSessionConfigSchema.safeParse(safeJson(stored.config));
      const config = parsed.success ? parsed.data : {};
      const targets = publisher.webhooksFor(config);
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
      const me = stored.meId ? { id: stored.meId, pushName: stored.mePushName } : null;
      const envelope = publisher.createEnvelope({
        session,
        event: "engine.event",
        me,
        config,
        payload: {
          event: TEST_ENGINE_EVENT,
          data: { message: "Test event from Switchboard", webhook: { source: target.source, index: target.index, url: target.config.url } },
        },
      });
      const [delivery] = await dispatcher.enqueue([{ envelope, body: JSON.stringify(envelope), targets: [target] }]);
      if (!delivery) throw new AppError("internal_error", "The test event was not stored");
      return delivery;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
