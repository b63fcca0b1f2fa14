import { AppError } from "@/lib/errors";
import { dashboardCookieAuthorizes } from "../auth/session-token";
import { recall } from "../remember";
import { apiKeyMatches, type ApiKeyCheck } from "./api-key";

export interface AuthState {
  apiKey: ApiKeyCheck;
}

/** The API key from `X-Api-Key`, or `?x-api-key=` (the header wins when both are sent, as in WAHA). */
export function presentedApiKey(request: Request): string | null {
  return request.headers.get("x-api-key") ?? new URL(request.url).searchParams.get("x-api-key");
}

/** Throws 401 unless the request carries the API key or a logged-in dashboard cookie. */
export async function authorize(request: Request): Promise<void> {
  const { apiKey } = recall<AuthState>("auth");
  if (apiKeyMatches(presentedApiKey(request), apiKey)) return;
  if (await dashboardCookieAuthorizes(request)) return;
  throw new AppError("unauthorized", "Unauthorized");
}
