import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import type { Env } from "../env";
import { getEnv } from "../env";
import { registerLogSecret } from "../log-redaction";
import { getLogger } from "../logger";
import { remember } from "../remember";
import { readOrCreateSecretFile } from "../secret-file";

/**
 * The dashboard's single login and the secret its session cookies are encrypted with.
 * Like the API key (server/http/api-key.ts): a configured value wins; otherwise a strong one is
 * generated on first start, stored in the data folder (mode 600) and reused on every later start.
 * The password is printed once, on the start that created it; the secret is never printed.
 */
export interface DashboardAuth {
  enabled: boolean;
  username: string;
  /** SHA-512 of the password: compared in constant time, never kept in plain text. */
  passwordSha512: Buffer;
  /** Encrypts the next-auth JWT cookie (A256GCM); shared by pages, the REST API and Socket.IO. */
  secret: string;
  /**
   * A short fingerprint of username + password, stored in the token: changing either one
   * signs every browser out.
   */
  credentialsFingerprint: string;
  /** Secure cookies (`__Secure-` prefix) when NEXTAUTH_URL is https. */
  secureCookies: boolean;
}

export const DASHBOARD_PASSWORD_FILE = "dashboard-password";
export const DASHBOARD_SECRET_FILE = "nextauth-secret";

export function resolveDashboardAuth(options: { env: Env; logger: Logger }): DashboardAuth {
  const { env, logger } = options;
  const { enabled, username, url } = env.dashboard;
  if (!enabled) {
    // Nothing is generated or written: the login cannot be used at all.
    const unusable = randomBytes(32).toString("base64url");
    return {
      enabled,
      username,
      passwordSha512: sha512(randomBytes(32).toString("hex")),
      secret: unusable,
      credentialsFingerprint: unusable,
      secureCookies: false,
    };
  }

  let password = env.dashboard.password;
  if (password === undefined) {
    const stored = readOrCreateSecretFile({
      dir: env.dataDir,
      name: DASHBOARD_PASSWORD_FILE,
      generate: () => randomBytes(18).toString("base64url"),
    });
    password = stored.value;
    if (stored.created) {
      console.log(
        `\n  Generated a dashboard password (stored in ${stored.file}):\n\n    username: ${username}\n    password: ${password}\n`,
      );
    }
  } else if (password.length < 8) {
    logger.warn("WAHA_DASHBOARD_PASSWORD is shorter than 8 characters; choose a long random password");
  }

  const secret =
    env.dashboard.secret ??
    readOrCreateSecretFile({ dir: env.dataDir, name: DASHBOARD_SECRET_FILE, generate: () => randomBytes(32).toString("base64url") }).value;
  registerLogSecret(password);
  registerLogSecret(secret);

  return {
    enabled,
    username,
    passwordSha512: sha512(password),
    secret,
    credentialsFingerprint: createHash("sha256").update(`${username}\n${password}\n${secret}`).digest("base64url").slice(0, 16),
    secureCookies: url?.startsWith("https://") ?? false,
  };
}

/** The process's dashboard login, resolved once (at boot by server.ts, or on first use). */
export function dashboardAuth(): DashboardAuth {
  return remember("dashboard-auth", () => resolveDashboardAuth({ env: getEnv(), logger: getLogger() }));
}

/** Constant-time check of both fields; a wrong username costs as much as a wrong password. */
export function credentialsMatch(auth: DashboardAuth, username: string, password: string): boolean {
  const userOk = timingSafeEqual(sha512(username), sha512(auth.username));
  const passwordOk = timingSafeEqual(sha512(password), auth.passwordSha512);
  return auth.enabled && userOk && passwordOk;
}

function sha512(value: string): Buffer {
  return createHash("sha512").update(value).digest();
}
