"use client";

import QRCode from "qrcode";
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { SwitchboardLogo } from "@/components/ui/icons";

const keyInFragment = () => new URLSearchParams(window.location.hash.slice(1)).get("key") ?? "";
const onHashChange = (changed: () => void) => {
  window.addEventListener("hashchange", changed);
  return () => window.removeEventListener("hashchange", changed);
};

/** How often the page asks for the QR again: WhatsApp rotates it every ~20 s. */
const POLL_MS = 2000;

type QrState =
  { kind: "loading" } | { kind: "qr"; value: string } | { kind: "message"; text: string; canStart: boolean } | { kind: "nokey" };

/**
 * Asks `GET /api/{session}/auth/qr?format=raw` every POLL_MS with the key from the fragment (`#key=`), never
 * with the dashboard's cookie, and draws the QR; otherwise says why there is none (and offers to start the
 * session, which the control key may do).
 */
export function QrLinkView({ session }: { session: string }) {
  const [polled, setState] = useState<QrState>({ kind: "loading" });
  // null while rendered on the server (no fragment there); "" when the link has no key.
  const key = useSyncExternalStore(onHashChange, keyInFragment, () => null);
  const state: QrState = key === "" ? { kind: "nokey" } : polled;
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (!key) return;
    let stopped = false;
    const ask = async () => {
      try {
        const response = await fetch(`/api/${encodeURIComponent(session)}/auth/qr?format=raw`, {
          headers: { "X-Api-Key": key, Accept: "application/json" },
          credentials: "omit",
          cache: "no-store",
        });
        const body = (await response.json().catch(() => ({}))) as { value?: string; message?: string };
        if (stopped) return;
        if (response.ok && body.value) setState({ kind: "qr", value: body.value });
        else if (response.status === 401 || response.status === 403 || response.status === 404)
          setState({ kind: "message", text: "This link is no longer valid. Ask for a new one.", canStart: false });
        else setState({ kind: "message", text: body.message ?? "No QR code right now.", canStart: response.status === 422 });
      } catch {
        if (!stopped) setState({ kind: "message", text: "The server cannot be reached; trying again.", canStart: false });
      }
    };
    void ask();
    const timer = setInterval(() => void ask(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [key, session]);

  const qrValue = state.kind === "qr" ? state.value : null;
  useEffect(() => {
    if (qrValue === null || !canvas.current) return;
    void QRCode.toCanvas(canvas.current, qrValue, { width: 264, margin: 1, errorCorrectionLevel: "L" });
  }, [qrValue]);

  const start = async () => {
    if (!key) return;
    await fetch(`/api/sessions/${encodeURIComponent(session)}/start`, {
      method: "POST",
      headers: { "X-Api-Key": key },
      credentials: "omit",
    });
  };

  return (
    <main className="mx-auto grid min-h-screen max-w-md content-center justify-items-center gap-5 px-4 text-center">
      <SwitchboardLogo className="h-8" />
      <h1 className="text-lg font-semibold">Link WhatsApp to “{session}”</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        On the phone: WhatsApp → Settings → Linked devices → Link a device, then scan this code.
      </p>
      {state.kind === "qr" && (
        <div className="rounded-xl border border-zinc-200 bg-white p-4 shadow-sm">
          <canvas ref={canvas} width={264} height={264} data-testid="qr-link-canvas" role="img" aria-label="WhatsApp login QR code" />
        </div>
      )}
      {state.kind === "loading" && <p className="text-sm text-zinc-500">Loading…</p>}
      {state.kind === "nokey" && (
        <Alert tone="error" title="Incomplete link">
          This link lacks its key. Open the whole link you were given.
        </Alert>
      )}
      {state.kind === "message" && (
        <Alert
          tone="info"
          title="No QR code shown"
          actions={state.canStart ? <Button onClick={() => void start()}>Start the session</Button> : undefined}
        >
          <span data-testid="qr-link-message">{state.text}</span>
        </Alert>
      )}
    </main>
  );
}
