"use client";

import { useEffect, useRef, useState } from "react";
import { signInWithPassword } from "@/lib/api-client";
import { safeCallbackPath } from "@/lib/safe-callback-path";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, Input, describedBy } from "@/components/ui/field";
import { EyeIcon, EyeOffIcon, SwitchboardLogo } from "@/components/ui/icons";
import { ThemeToggle } from "@/components/ui/theme";

export function LoginView({ callbackUrl }: { callbackUrl: string }) {
  const [username, setUsername] = useState("admin");
  const [password, setPassword] = useState("");
  const [showPassword, setShowPassword] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [blockedUntil, setBlockedUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const passwordRef = useRef<HTMLInputElement>(null);
  const usernameRef = useRef<HTMLInputElement>(null);

  // What was typed or autofilled before the page's script ran is in the inputs, not in the state: take it.
  useEffect(() => {
    const typedUsername = usernameRef.current?.value;
    const typedPassword = passwordRef.current?.value;
    if (typedUsername) setUsername(typedUsername);
    if (typedPassword) setPassword(typedPassword);
  }, []);

  useEffect(() => {
    if (!blockedUntil) return;
    const timer = setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (current >= blockedUntil) {
        setBlockedUntil(null);
        setError(null);
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [blockedUntil]);

  const secondsLeft = blockedUntil ? Math.max(0, Math.ceil((blockedUntil - now) / 1000)) : 0;

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (busy || blockedUntil) return;
    setBusy(true);
    setError(null);
    const result = await signInWithPassword(username, password);
    if (result.ok) {
      // The page passes a checked path; checked again here because this navigation is the form's own. A whole
      // page load, not the app router's: the target may be outside the app router (/docs is a route handler),
      // where a client navigation followed by a refresh could leave the browser on /login.
      window.location.replace(safeCallbackPath(callbackUrl));
      return;
    }
    setBusy(false);
    if (result.reason === "rate_limited") {
      const current = Date.now();
      setNow(current);
      setBlockedUntil(current + (result.retryAfter ?? 60) * 1000);
    }
    setError(result.message);
    setPassword("");
    passwordRef.current?.focus();
  }

  return (
    <div className="relative flex min-h-dvh flex-col items-center justify-center px-4 py-12">
      <div className="absolute top-4 right-4">
        <ThemeToggle />
      </div>
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center text-center">
          <SwitchboardLogo className="size-11" />
          <h1 className="mt-4 text-xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Sign in to Switchboard</h1>
          <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">Operators&apos; dashboard for your WhatsApp sessions</p>
        </div>
        <form
          onSubmit={submit}
          noValidate
          className="space-y-4 rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
          aria-describedby={error ? "login-error" : undefined}
        >
          {error && (
            <div id="login-error">
              <Alert tone="error" title={blockedUntil ? "Too many failed attempts" : "Sign-in failed"}>
                {blockedUntil ? (
                  <span data-testid="rate-limited">
                    Sign-in is paused for this address. Try again in <span className="font-semibold tabular-nums">{secondsLeft} s</span>.
                  </span>
                ) : (
                  error
                )}
              </Alert>
            </div>
          )}
          <Field id="username" label="Username">
            <Input
              ref={usernameRef}
              id="username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </Field>
          <Field
            id="password"
            label="Password"
            hint="Set with WAHA_DASHBOARD_PASSWORD, or generated on first start into the data folder (dashboard-password)."
          >
            <div className="relative">
              <Input
                ref={passwordRef}
                id="password"
                name="password"
                type={showPassword ? "text" : "password"}
                autoComplete="current-password"
                required
                autoFocus
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                className="pr-10"
                {...describedBy("password", undefined, true)}
              />
              <button
                type="button"
                onClick={() => setShowPassword((v) => !v)}
                aria-label={showPassword ? "Hide password" : "Show password"}
                aria-pressed={showPassword}
                className="absolute inset-y-0 right-0 grid w-10 place-items-center rounded-r-lg text-zinc-400 hover:text-zinc-700 dark:hover:text-zinc-200"
              >
                {showPassword ? <EyeOffIcon className="size-4" /> : <EyeIcon className="size-4" />}
              </button>
            </div>
          </Field>
          <Button type="submit" variant="primary" className="w-full" loading={busy} disabled={!!blockedUntil || !password || !username}>
            {blockedUntil ? `Wait ${secondsLeft} s` : "Sign in"}
          </Button>
        </form>
        <p className="mt-6 text-center text-xs text-zinc-500 dark:text-zinc-500">
          Programs use the REST API with an <code className="font-mono">X-Api-Key</code> header.{" "}
          <a href="/docs" className="font-medium text-emerald-700 underline-offset-2 hover:underline dark:text-emerald-400">
            API docs
          </a>
        </p>
      </div>
    </div>
  );
}
