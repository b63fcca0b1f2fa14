import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getLogger } from "../logger";
import { credentialsMatch, type DashboardAuth } from "./dashboard-auth";

/** A dashboard login lasts a working week; signing out or changing the password ends it earlier. */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

const ZCredentialsSchema = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});

/**
 * next-auth v4 options: one Credentials provider, JWT sessions in an encrypted httpOnly cookie.
 * No NEXTAUTH_URL is needed on plain HTTP: the dashboard signs in and out with JSON calls and
 * navigates itself, so next-auth's absolute redirect URLs are never followed (docs/dashboard.md).
 */
export function buildAuthOptions(
  auth: DashboardAuth,
  hooks: {
    /**
     * Told the outcome whenever a username and password were actually checked. The login throttle
     * counts this rather than the response: without `json=true` next-auth answers both a success
     * and a failure with a 302.
     */
    onCredentialsChecked?: (ok: boolean) => void;
  } = {},
): AuthOptions {
  const logger = getLogger().child({ module: "dashboard-auth" });
  return {
    secret: auth.secret,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    useSecureCookies: auth.secureCookies,
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Password",
        credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
        async authorize(credentials) {
          const parsed = ZCredentialsSchema.safeParse(credentials);
          const ok = parsed.success && credentialsMatch(auth, parsed.data.username, parsed.data.password);
          hooks.onCredentialsChecked?.(ok);
          return ok ? { id: auth.username, name: auth.username } : null;
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) token.fp = auth.credentialsFingerprint;
        return token;
      },
      async session({ session, token }) {
        return { ...session, user: { name: token.sub ?? null } };
      },
    },
    logger: {
      error: (code, metadata) => logger.error({ code, err: metadata }, "next-auth error"),
      // NEXTAUTH_URL is optional on purpose (see above); every other warning is worth seeing.
      warn: (code) => (code === "NEXTAUTH_URL" ? undefined : logger.warn({ code }, "next-auth warning")),
      debug: (code, metadata) => logger.debug({ code, metadata }, "next-auth debug"),
    },
  };
}
