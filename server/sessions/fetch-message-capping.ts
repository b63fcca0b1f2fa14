import type { TMessageCapping } from "@/lib/account-restrictions";
import type { SessionsContext } from "./context";
import { readAccountRestriction } from "./read-account-restriction";

/** GET /api/sessions/{session}/capping: the new-chat message capping as WhatsApp reports it now (no cap: NONE, -1). */
export async function fetchMessageCapping(ctx: SessionsContext, name: string): Promise<TMessageCapping> {
  return (await readAccountRestriction(ctx, name, "messageCapping")).messageCapping;
}
