import type { TMe } from "@/lib/session";
import type { SessionsContext } from "./context";
import { getStoredSessionOrThrow } from "./session-repository";

/** GET /api/sessions/{session}/me: the account while running and logged in, else null (as the docs say). */
export async function getMe(ctx: SessionsContext, name: string): Promise<TMe | null> {
  await getStoredSessionOrThrow(ctx.db, name);
  const snapshot = ctx.host.snapshot(name);
  return snapshot.status === "WORKING" ? snapshot.me : null;
}
