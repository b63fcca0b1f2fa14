import { AppError } from "@/lib/errors";
import type { SessionsContext } from "./context";
import { findStoredSession } from "./session-repository";

/** How long a QR request waits for a starting session to show its QR (WAHA waits up to 15 s). */
const QR_WAIT_MS = 10_000;

/**
 * The current raw QR value. Waits briefly while the session is starting; otherwise answers with
 * WAHA's 422 object bodies (session missing, or not in SCAN_QR_CODE).
 */
export async function getQrValue(ctx: SessionsContext, name: string): Promise<string> {
  const stored = await findStoredSession(ctx.db, name);
  if (!stored) {
    const message = `Session "${name}" does not exist`;
    throw new AppError("session_status_unexpected", message, { extra: { error: message, session: name } });
  }
  let snapshot = ctx.host.snapshot(name);
  if (snapshot.status === "STARTING") {
    snapshot = await ctx.host.waitForStatus(name, ["SCAN_QR_CODE", "WORKING", "FAILED", "STOPPED"], QR_WAIT_MS);
  }
  if (snapshot.status !== "SCAN_QR_CODE") {
    const message = "Session status is not as expected. Try again later or restart the session";
    throw new AppError("session_status_unexpected", message, {
      extra: { error: message, session: name, status: snapshot.status, expected: ["SCAN_QR_CODE"] },
    });
  }
  if (!snapshot.qr) {
    throw new AppError("qr_not_available", "QR code is not available. The session might be already authenticated.");
  }
  return snapshot.qr;
}
