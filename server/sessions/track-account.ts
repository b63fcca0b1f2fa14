import type { SessionsContext } from "./context";

/**
 * Keep the last known account in storage, so stopped sessions still show `me` after a restart.
 * Returns the unsubscribe function.
 */
export function persistAccountChanges(ctx: SessionsContext): () => void {
  return ctx.host.subscribe((event) => {
    if (event.type !== "me") return;
    ctx.db.session
      .updateMany({ where: { name: event.session }, data: { meId: event.me.id, mePushName: event.me.pushName } })
      .catch((error: unknown) => ctx.logger.error({ err: error, session: event.session }, "could not store the account"));
  });
}
