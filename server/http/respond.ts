import type { TBase64File } from "@/lib/session";
import { json } from "./handler";

/**
 * An image in the form the client asked for: `{mimetype, data}` base64 JSON when `Accept` is exactly
 * `application/json` (WAHA's rule), else the binary with caching disabled.
 */
export function imageResponse(
  request: Request,
  bytes: Buffer,
  mimetype: string,
  status = 200,
  cacheControl = "no-cache, no-store",
): Response {
  if (request.headers.get("accept")?.trim() === "application/json") {
    return json({ mimetype, data: bytes.toString("base64") } satisfies TBase64File, status);
  }
  return new Response(new Uint8Array(bytes), {
    status,
    headers: { "Content-Type": mimetype, "Cache-Control": cacheControl, "Content-Length": String(bytes.length) },
  });
}
