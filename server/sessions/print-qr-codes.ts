import QRCode from "qrcode";
import type { EngineHost } from "../engines/engine-host";

/**
 * WAHA_PRINT_QR: each new QR is drawn in the terminal as text, for a newcomer who has no dashboard
 * open yet. Written to stdout directly, not through the JSON logger, so it stays a picture.
 * Returns the unsubscribe function.
 */
export function printQrCodes(
  host: Pick<EngineHost, "subscribe">,
  write: (text: string) => void = (text) => process.stdout.write(text),
): () => void {
  return host.subscribe((event) => {
    if (event.type !== "qr") return;
    QRCode.toString(event.value, { type: "terminal", small: true })
      .then((picture) => write(qrBlock(event.session, picture)))
      .catch(() => undefined);
  });
}

function qrBlock(session: string, picture: string): string {
  return [
    "",
    `  Session '${session}': scan this QR in WhatsApp (Settings > Linked devices > Link a device).`,
    `  Or link with a code instead: POST /api/${session}/auth/request-code {"phoneNumber": "<digits>"}`,
    "",
    picture,
    "",
  ].join("\n");
}
