import { AppError } from "@/lib/errors";
import type { AccountState, RestrictionKind } from "../engines/engine";
import type { SessionsContext } from "./context";
import { getRunningEngine } from "./running-engine";

const LABELS: Record<RestrictionKind, string> = { reachoutTimelock: "reachout timelock", messageCapping: "message capping" };

/**
 * A fresh reading of one restriction from WhatsApp Web (which asks WhatsApp first), for a WORKING session:
 * 404 for an unknown or stopped session (WAHA's wording), 422 while it is not logged in, 422 when the
 * page does not answer. The reading also updates what the session reports, as a probe would.
 */
export async function readAccountRestriction(ctx: SessionsContext, name: string, kind: RestrictionKind): Promise<AccountState> {
  await getRunningEngine(ctx, name);
  const { status } = ctx.host.snapshot(name);
  if (status !== "WORKING") {
    throw new AppError("session_status_unexpected", `Session '${name}' is ${status}; the ${LABELS[kind]} is known once it is WORKING`, {
      extra: { session: name, status, expected: ["WORKING"] },
    });
  }
  try {
    return await ctx.host.refreshAccount(name, kind);
  } catch (error) {
    throw new AppError("engine_error", `Could not read the ${LABELS[kind]} from WhatsApp Web: ${(error as Error).message}`);
  }
}
