import type { EventPublisher } from "../events/publish-event";
import type { SessionsContext } from "./context";

/**
 * Turn the EngineHost's changes into WAHA events: `session.status` on every change (each QR refresh
 * included, and WORKING re-issued when a restriction changes) with the recent history and its reasons
 * and WAHA's `data`, and `engine.event` for every raw library event.
 * Published under the config the session runs with (webhooks, metadata, ignore). Returns unsubscribe.
 */
export function publishSessionEvents(ctx: SessionsContext, publisher: EventPublisher): () => void {
  return ctx.host.subscribe((event) => {
    const config = ctx.host.config(event.session);
    let published: Promise<unknown> | null = null;
    if (event.type === "status") {
      const { status, statuses, me } = event.snapshot;
      published = publisher.publish({
        session: event.session,
        event: "session.status",
        // `data`: null unless the status has something to say (a WORKING's restrictions), as in WAHA.
        payload: { name: event.session, status, statuses, data: event.data },
        me,
        config,
        chatId: null,
      });
    } else if (event.type === "engine.event") {
      published = publisher.publish({
        session: event.session,
        event: "engine.event",
        payload: { event: event.event, data: event.data },
        me: ctx.host.snapshot(event.session).me,
        config,
        chatId: null,
      });
    }
    published?.catch((error: unknown) =>
      ctx.logger.error({ err: error, session: event.session }, "could not store an event for its webhooks"),
    );
  });
}
