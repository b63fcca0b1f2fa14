import { AppError } from "@/lib/errors";
import type { SessionsContext } from "./context";
import { getRunningEngine } from "./running-engine";

/** POST /api/{session}/auth/request-code: link by phone number instead of a QR. */
export async function requestPairingCode(ctx: SessionsContext, name: string, phoneNumber: string): Promise<string> {
  const engine = await getRunningEngine(ctx, name);
  const status = ctx.host.snapshot(name).status;
  if (status !== "SCAN_QR_CODE" && status !== "STARTING") {
    throw new AppError("session_status_unexpected", `Session '${name}' is ${status}; a pairing code needs a session waiting for login`, {
      extra: { session: name, status, expected: ["SCAN_QR_CODE"] },
    });
  }
  try {
    return formatPairingCode(await engine.requestPairingCode(phoneNumber));
  } catch (error) {
    throw new AppError("engine_error", `Could not get a pairing code: ${(error as Error).message}`);
  }
}

/** WAHA shows the 8-character code as two groups: `ABCD-EFGH`. */
export function formatPairingCode(code: string): string {
  return /^[A-Z0-9]{8}$/i.test(code) ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}
