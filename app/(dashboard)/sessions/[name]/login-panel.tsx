"use client";

import QRCode from "qrcode";
import { useEffect, useRef, useState } from "react";
import { isApiError, requestPairingCode } from "@/lib/api-client";
import type { TSession } from "@/lib/session";
import { ZPairingCodeRequestSchema } from "@/lib/session";
import { useStaleSince } from "@/components/data/realtime";
import { useQr } from "@/components/data/sessions";
import { formatPhone } from "@/components/sessions/metadata-chips";
import { ProfilePicture } from "@/components/sessions/profile-picture";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { CopyButton } from "@/components/ui/copy-button";
import { Field, Input, describedBy } from "@/components/ui/field";
import { PhoneIcon, PlayIcon, RefreshIcon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/spinner";
import { useNow } from "@/components/ui/time";

/** WhatsApp Web keeps the first code ~60 s, then rotates every ~20 s. */
export const FIRST_QR_SECONDS = 60;
export const NEXT_QR_SECONDS = 20;

export function LoginPanel({ session, onAction }: { session: TSession; onAction: (action: "start" | "restart") => void }) {
  if (session.status === "WORKING") return <AccountPanel session={session} />;
  return (
    <Card aria-labelledby="login-title">
      <CardHeader
        id="login-title"
        title="Log in"
        description="Link this session to a phone: scan the QR code, or enter a pairing code on the phone."
      />
      <CardBody className="grid justify-items-center gap-6 md:grid-cols-[auto_1fr] md:justify-items-stretch">
        <QrArea session={session} onAction={onAction} />
        <div className="grid w-full content-start gap-5">
          <ol className="list-decimal space-y-1 pl-5 text-[13px] text-zinc-600 dark:text-zinc-300">
            <li>Open WhatsApp on the phone.</li>
            <li>
              Go to <b>Settings</b> → <b>Linked devices</b> → <b>Link a device</b>.
            </li>
            <li>Scan the code, or choose “Link with phone number instead” and enter a pairing code.</li>
          </ol>
          <PairingCodeForm session={session} />
        </div>
      </CardBody>
    </Card>
  );
}

function QrArea({ session, onAction }: { session: TSession; onAction: (action: "start" | "restart") => void }) {
  const qr = useQr(session);
  const status = session.status;
  const frame =
    "grid size-[264px] place-items-center rounded-xl border border-zinc-200 bg-zinc-50 p-4 text-center dark:border-zinc-800 dark:bg-zinc-900";

  if (status === "STOPPED") {
    return (
      <div className={frame}>
        <div className="grid justify-items-center gap-3">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">The session is stopped. Start it to get a QR code.</p>
          <Button variant="primary" size="sm" icon={<PlayIcon className="size-4" />} onClick={() => onAction("start")}>
            Start session
          </Button>
        </div>
      </div>
    );
  }
  if (status === "FAILED") {
    const reason = session.statuses.at(-1)?.reason;
    return (
      <div className={cn(frame, "border-red-200 bg-red-50/60 dark:border-red-900/60 dark:bg-red-950/30")}>
        <div className="grid justify-items-center gap-3">
          <p className="text-sm font-medium text-red-800 dark:text-red-200">No QR code: the session failed.</p>
          {reason && <p className="text-xs text-red-700/90 dark:text-red-300/90">{reason}</p>}
          <p className="text-xs text-zinc-600 dark:text-zinc-400">If the codes ran out before a scan, restarting issues fresh ones.</p>
          <Button variant="primary" size="sm" icon={<RefreshIcon className="size-4" />} onClick={() => onAction("restart")}>
            Restart session
          </Button>
        </div>
      </div>
    );
  }
  if (status === "STARTING" || !qr.data?.value) {
    return (
      <div className={frame} data-testid="qr-waiting">
        <div className="grid justify-items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
          <Spinner className="size-6 text-emerald-600" />
          {status === "STARTING" ? "Starting WhatsApp Web…" : qr.isError ? "Waiting for the next QR code…" : "Loading the QR code…"}
        </div>
      </div>
    );
  }
  return <QrCode value={qr.data.value} timestamp={qr.data.timestamp} rotation={qr.data.rotation} />;
}

/** The QR drawn in the browser from its raw value, with the time left until WhatsApp rotates it. */
function QrCode({ value, timestamp, rotation }: { value: string; timestamp: number; rotation: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [announce, setAnnounce] = useState("");
  const ticking = useNow();
  // While the live connection is down a newer code would not reach this page: the countdown stops there.
  const staleSince = useStaleSince();
  const now = staleSince ?? ticking;

  useEffect(() => {
    if (!canvas.current) return;
    void QRCode.toCanvas(canvas.current, value, {
      width: 232,
      margin: 1,
      errorCorrectionLevel: "L",
      color: { dark: "#09090b", light: "#ffffff" },
    });
    setAnnounce(rotation === 0 ? "QR code ready to scan." : "A new QR code replaced the previous one.");
  }, [value, rotation]);

  const lifetime = rotation === 0 ? FIRST_QR_SECONDS : NEXT_QR_SECONDS;
  const elapsed = now ? Math.max(0, (now - timestamp) / 1000) : 0;
  const left = Math.max(0, Math.ceil(lifetime - elapsed));
  const fraction = Math.min(1, Math.max(0, left / lifetime));
  // An expired code, or one that may have been replaced unseen, must not look scannable.
  const stale = staleSince !== null ? "offline" : left === 0 ? "expired" : null;

  return (
    <div className="grid w-[264px] justify-items-center gap-3">
      <div className="relative rounded-xl border border-zinc-200 bg-white p-4 shadow-sm dark:border-zinc-700">
        {stale && (
          <p
            data-testid="qr-stale"
            data-reason={stale}
            className="absolute inset-0 z-10 grid place-items-center rounded-xl px-6 text-center text-sm font-medium text-zinc-900"
          >
            {stale === "offline"
              ? "Not live: reconnecting. This code may have been replaced."
              : "This code expired. Waiting for the next one…"}
          </p>
        )}
        <canvas
          ref={canvas}
          width={232}
          height={232}
          data-testid="qr-canvas"
          data-qr-rotation={rotation}
          data-qr-timestamp={timestamp}
          data-stale={stale ?? undefined}
          role="img"
          aria-label="WhatsApp login QR code. Scan it with the phone's Linked devices screen."
          className={cn("block size-[232px] transition-[filter,opacity]", stale && "opacity-25 blur-[3px]")}
        />
      </div>
      <div className="w-full">
        <div className="mb-1 flex items-center justify-between text-xs text-zinc-600 dark:text-zinc-400">
          <span data-testid="qr-countdown" data-seconds-left={left}>
            {stale === "offline" ? (
              "Not live"
            ) : left > 0 ? (
              <>
                Refreshes in <span className="font-semibold text-zinc-900 tabular-nums dark:text-zinc-100">{left} s</span>
              </>
            ) : (
              "Refreshing…"
            )}
          </span>
          <span>Code {rotation + 1}</span>
        </div>
        <div
          role="progressbar"
          aria-label="Time left for this QR code"
          aria-valuemin={0}
          aria-valuemax={lifetime}
          aria-valuenow={left}
          className="h-1.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
        >
          <div
            className={cn(
              "h-full rounded-full transition-[width] duration-1000 ease-linear",
              fraction > 0.25 ? "bg-emerald-500" : "bg-amber-500",
            )}
            style={{ width: `${fraction * 100}%` }}
          />
        </div>
      </div>
      <p className="sr-only" aria-live="polite">
        {announce}
      </p>
    </div>
  );
}

function PairingCodeForm({ session }: { session: TSession }) {
  const [phone, setPhone] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const disabled = session.status !== "SCAN_QR_CODE";

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const parsed = ZPairingCodeRequestSchema.safeParse({ phoneNumber: phone });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "Enter the phone number in international format");
      return;
    }
    setError(null);
    setBusy(true);
    try {
      setCode(await requestPairingCode(session.name, parsed.data.phoneNumber));
    } catch (e) {
      setError(isApiError(e) ? e.message : "The code could not be requested.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      onSubmit={submit}
      noValidate
      className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800"
      aria-labelledby="pairing-title"
    >
      <h3 id="pairing-title" className="flex items-center gap-2 text-[13px] font-semibold text-zinc-900 dark:text-zinc-100">
        <PhoneIcon className="size-4 text-zinc-500" />
        Pairing code instead
      </h3>
      <div className="mt-3 flex flex-wrap items-start gap-2">
        <Field
          id="pairing-phone"
          label={<span className="sr-only">Phone number</span>}
          error={error ?? undefined}
          className="min-w-[12rem] flex-1"
        >
          <Input
            id="pairing-phone"
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            placeholder="Phone, e.g. +49 151 2345678"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            disabled={disabled}
            invalid={!!error}
            {...describedBy("pairing-phone", error ?? undefined)}
          />
        </Field>
        <Button type="submit" variant="secondary" loading={busy} disabled={disabled || !phone}>
          Get code
        </Button>
      </div>
      {disabled && <p className="mt-2 text-xs text-zinc-500">Available while the session waits for a scan.</p>}
      {code && (
        <div
          className="mt-4 flex items-center justify-between gap-3 rounded-lg bg-emerald-50 px-4 py-3 dark:bg-emerald-950/40"
          role="status"
        >
          <div>
            <p className="text-xs text-emerald-800 dark:text-emerald-300">Enter this code on the phone:</p>
            <p
              className="font-mono text-2xl font-semibold tracking-[0.2em] text-emerald-950 dark:text-emerald-100"
              data-testid="pairing-code"
            >
              {code}
            </p>
          </div>
          <CopyButton value={code} label="Copy pairing code" />
        </div>
      )}
    </form>
  );
}

function AccountPanel({ session }: { session: TSession }) {
  const phone = formatPhone(session.me?.id);
  return (
    <Card aria-labelledby="account-title">
      <CardHeader id="account-title" title="Account" description="The WhatsApp account this session is logged in as." />
      <CardBody>
        {session.me ? (
          <div className="flex items-start gap-4">
            <ProfilePicture session={session} className="size-12" />
            <dl className="grid min-w-0 flex-1 gap-4 sm:grid-cols-3" data-testid="me">
              <div>
                <dt className="text-xs text-zinc-500 dark:text-zinc-400">Phone</dt>
                <dd className="mt-1 font-mono text-sm font-medium tabular-nums">{phone}</dd>
              </div>
              <div>
                <dt className="text-xs text-zinc-500 dark:text-zinc-400">Push name</dt>
                <dd className="mt-1 text-sm font-medium">{session.me.pushName ?? "—"}</dd>
              </div>
              <div className="min-w-0">
                <dt className="text-xs text-zinc-500 dark:text-zinc-400">Id</dt>
                <dd className="mt-1 truncate font-mono text-[13px] text-zinc-600 dark:text-zinc-300">{session.me.id}</dd>
              </div>
              <div className="min-w-0">
                <dt className="text-xs text-zinc-500 dark:text-zinc-400">LID</dt>
                <dd className="mt-1 truncate font-mono text-[13px] text-zinc-600 dark:text-zinc-300" data-testid="me-lid">
                  {session.me.lid ?? "—"}
                </dd>
              </div>
              <div className="min-w-0 sm:col-span-2">
                <dt className="text-xs text-zinc-500 dark:text-zinc-400">This device</dt>
                <dd className="mt-1 truncate font-mono text-[13px] text-zinc-600 dark:text-zinc-300" data-testid="me-jid">
                  {session.me.jid ?? "—"}
                </dd>
              </div>
            </dl>
          </div>
        ) : (
          <Alert tone="info">Logged in; the account details are still loading from WhatsApp.</Alert>
        )}
      </CardBody>
    </Card>
  );
}
