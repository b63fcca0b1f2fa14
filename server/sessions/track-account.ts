import type { SessionsContext } from "./context";
import { saveAccount } from "./session-repository";

/**
 * Keep the last known account in storage, so stopped sessions still show `me` after a restart.
 * Returns the unsubscribe function.
 */
export function persistAccountChanges(ctx: SessionsContext): () => void {
  return ctx.host.subscribe((event) => {
    if (event.type !== "me") return;
    saveAccount(ctx.db, event.session, event.me).catch((error: unknown) =>
      ctx.logger.error({ err: error, session: event.session }, "could not store the account"),
    );
  });
}
