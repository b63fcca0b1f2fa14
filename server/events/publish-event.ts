import { subscriptionMatches, type TEventName } from "@/lib/event-names";
import type { TSessionConfig, TWebhookConfig } from "@/lib/session-config";
import type { TMe } from "@/lib/session";
import { systemClock, type Clock } from "@/server/engines/clock";
import type { TOutboxEntry, TWebhookTarget } from "@/server/webhooks/outbox";
import type { TWebhookDelivery } from "@/lib/webhook-delivery";
import type { TEnvironment, TEventEnvelope } from "@/lib/event-envelope";
import { buildEnvelope, generateEventId } from "./envelope";
import { findChatId, isIgnoredChat, resolveIgnoreRules, type TIgnoreRules } from "./ignore";

/** Where durable webhook work goes: the dispatcher's enqueue (an interface so tests can pass a fake). */
export interface TOutboxSink {
  enqueue(entries: TOutboxEntry[]): Promise<TWebhookDelivery[]>;
}

export interface EventPublisherOptions {
  /** Usually the WebhookDispatcher: it writes the outbox in one transaction and wakes itself. */
  dispatcher: TOutboxSink;
  environment: TEnvironment;
  /** From parseGlobalWebhook(process.env); applied to every session after its own webhooks. */
  globalWebhook: TWebhookConfig | null;
  /** WAHA_SESSION_CONFIG_IGNORE_STATUS/GROUPS/CHANNELS/BROADCAST. */
  ignoreDefaults: TIgnoreRules;
  clock?: Clock;
  /** Called when a local listener throws (listeners never break publishing). */
  onListenerError?: (error: unknown) => void;
}

export interface TPublishInput<TPayload = unknown> {
  session: string;
  event: TEventName;
  payload: TPayload;
  me: TMe | null;
  /** The session's stored config (webhooks, metadata, ignore). */
  config: TSessionConfig | null | undefined;
  /**
   * The chat the event is about, for config.ignore. Omitted: found in the payload (findChatId).
   * null: the event has no chat (never ignored).
   */
  chatId?: string | null;
}

export type TEnvelopeListener = (envelope: TEventEnvelope) => void;

export interface EventPublisher {
  readonly environment: TEnvironment;
  /**
   * Filters (config.ignore, except engine.event), builds the envelope, tells local listeners (Socket.IO)
   * and, if any webhook wants the event, stores it in the outbox before resolving. Resolves with the
   * envelope, or null when the event was ignored. Rejects only when the outbox write failed.
   */
  publish<TPayload>(input: TPublishInput<TPayload>): Promise<TEventEnvelope<TPayload> | null>;
  /** Every published (not ignored) envelope, whether or not a webhook matched. Returns unsubscribe. */
  subscribe(listener: TEnvelopeListener): () => void;
  /** The session's usable webhooks in delivery order: config.webhooks (with url and events), then the global one. */
  webhooksFor(config: TSessionConfig | null | undefined): TWebhookTarget[];
  /** A fresh envelope with this publisher's environment and clock (no filtering, no side effects). */
  createEnvelope<TPayload>(input: Omit<TPublishInput<TPayload>, "chatId">): TEventEnvelope<TPayload>;
}

export function createEventPublisher(options: EventPublisherOptions): EventPublisher {
  const clock = options.clock ?? systemClock;
  const listeners = new Set<TEnvelopeListener>();

  const webhooksFor = (config: TSessionConfig | null | undefined): TWebhookTarget[] => {
    const targets: TWebhookTarget[] = [];
    (config?.webhooks ?? []).forEach((webhook, index) => {
      if (webhook.url && webhook.events.length > 0) targets.push({ source: "session", index, config: webhook });
    });
    if (options.globalWebhook) targets.push({ source: "global", index: null, config: options.globalWebhook });
    return targets;
  };

  const createEnvelope = <TPayload>(input: Omit<TPublishInput<TPayload>, "chatId">): TEventEnvelope<TPayload> => {
    const timestamp = clock.now();
    return buildEnvelope({
      id: generateEventId(timestamp),
      timestamp,
      event: input.event,
      session: input.session,
      metadata: input.config?.metadata,
      me: input.me,
      payload: input.payload,
      environment: options.environment,
    });
  };

  return {
    environment: options.environment,
    webhooksFor,
    createEnvelope,

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async publish<TPayload>(input: TPublishInput<TPayload>): Promise<TEventEnvelope<TPayload> | null> {
      if (input.event !== "engine.event") {
        const chatId = input.chatId === undefined ? findChatId(input.event, input.payload) : input.chatId;
        if (chatId && isIgnoredChat(chatId, resolveIgnoreRules(input.config?.ignore, options.ignoreDefaults))) return null;
      }
      const envelope = createEnvelope(input);
      const targets = webhooksFor(input.config).filter((target) => subscriptionMatches(target.config.events, input.event));
      // Serialised before listeners run, so a listener mutating the envelope cannot change the stored bytes.
      const body = targets.length > 0 ? JSON.stringify(envelope) : "";

      for (const listener of listeners) {
        try {
          listener(envelope as TEventEnvelope);
        } catch (error) {
          options.onListenerError?.(error);
        }
      }

      if (targets.length > 0) await options.dispatcher.enqueue([{ envelope: envelope as TEventEnvelope, body, targets }]);
      return envelope;
    },
  };
}
