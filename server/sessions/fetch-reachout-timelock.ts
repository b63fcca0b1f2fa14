import type { TReachoutTimelock } from "@/lib/account-restrictions";
import type { SessionsContext } from "./context";
import { readAccountRestriction } from "./read-account-restriction";

/** GET /api/sessions/{session}/timelock: the reachout timelock as WhatsApp reports it now (none enforced: DEFAULT, inactive). */
export async function fetchReachoutTimelock(ctx: SessionsContext, name: string): Promise<TReachoutTimelock> {
  return (await readAccountRestriction(ctx, name, "reachoutTimelock")).reachoutTimelock;
}
