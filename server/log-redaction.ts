import { remember } from "./remember";

/**
 * Credentials never reach the log. Applied to each finished JSON log line, so it covers every field
 * a caller may log (URLs, headers, error messages and stacks) without each caller remembering to.
 */

export const REDACTED = "[redacted]";

/** Query parameters that carry credentials (`?x-api-key=`, OAuth-style tokens, passwords). */
const CREDENTIAL_PARAM = /([?&](?:x-api-key|api[-_]?key|access[-_]?token|token|password|passwd|secret|signature|sig)=)[^&\s"#\\]*/gi;
/** `scheme://user:password@host`: the password part. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@"]*:)[^@/\s"]*@/gi;
/** Header-shaped JSON fields whose value is a credential. */
const CREDENTIAL_FIELD =
  /("(?:x-api-key|authorization|proxy-authorization|cookie|set-cookie|x-webhook-hmac|apikey|api_key)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

/** Secrets known to the process (the API key, the dashboard password, the cookie secret), JSON-escaped. */
const knownSecrets = remember("log-secrets", () => new Set<string>());

/** Short values would match ordinary text; real secrets here are long. */
const MIN_KNOWN_SECRET_LENGTH = 8;

export function registerLogSecret(secret: string | null | undefined): void {
  if (secret && secret.length >= MIN_KNOWN_SECRET_LENGTH) knownSecrets.add(JSON.stringify(secret).slice(1, -1));
}

export function redactLogLine(line: string): string {
  let out = line
    .replace(CREDENTIAL_PARAM, `$1${REDACTED}`)
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(CREDENTIAL_FIELD, `$1"${REDACTED}"`);
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}
