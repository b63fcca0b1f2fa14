import type { ReactNode } from "react";
import type { TSession } from "@/lib/session";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/time";

/**
 * The session's health (docs/session-health.md): the liveness probe and its last answer, failures in
 * a row and the restart backoff, the last fault and disconnect, the account's presence and the
 * WhatsApp Web version its page runs. Every probe pushes a fresh copy, so it is live while open.
 */
export function HealthPanel({ session }: { session: TSession }) {
  const { probe, failures, maxFailures, gaveUp, restart, lastFailure, lastDisconnect, pulse } = session.health;
  return (
    <Card aria-labelledby="health-title">
      <CardHeader id="health-title" title="Health" description="The liveness probe, failures and restarts, presence" />
      <CardBody>
        <dl className="grid gap-x-6 gap-y-2.5 text-[13px] sm:grid-cols-[max-content_1fr]" data-testid="health-panel">
          <Row label="Last probe">
            {probe.enabled ? (
              <span data-testid="last-probe" data-last-probe={probe.lastAt ?? ""}>
                <RelativeTime timestamp={probe.lastAt} />
                {probe.latencyMs !== null && <span className="text-zinc-500"> · answered in {probe.latencyMs} ms</span>}
                <span className="text-zinc-500"> · every {seconds(probe.intervalMs)}</span>
              </span>
            ) : (
              <span data-testid="last-probe">off (SWITCHBOARD_HEALTH_INTERVAL_SECONDS=0)</span>
            )}
          </Row>
          <Row label="Last healthy">
            <RelativeTime timestamp={probe.lastOkAt} />
          </Row>
          <Row label="Connection">
            <span className="font-mono">{probe.state ?? "—"}</span>
            {probe.suspect && (
              <Badge tone="amber" className="ml-2" data-testid="probe-suspect">
                {probe.suspect}
              </Badge>
            )}
          </Row>
          <Row label="Failures in a row">
            <span data-testid="health-failures" data-failures={failures}>
              {failures} of {maxFailures || "no limit"}
            </span>
            {gaveUp && (
              <Badge tone="red" className="ml-2">
                automatic restarts stopped
              </Badge>
            )}
          </Row>
          <Row label="Restart">
            {restart.at !== null ? (
              <span>
                automatic restart <RelativeTime timestamp={restart.at} /> (after {seconds(restart.backoffMs)})
              </span>
            ) : (
              <span className="text-zinc-500">
                none pending; the next waits {seconds(restart.backoffMs)} (at most {seconds(restart.maxBackoffMs)})
              </span>
            )}
          </Row>
          <Row label="Last failure">
            {lastFailure ? (
              <span data-testid="last-failure">
                {lastFailure.reason} · <RelativeTime timestamp={lastFailure.timestamp} />
              </span>
            ) : (
              "—"
            )}
          </Row>
          <Row label="Last disconnect">
            {lastDisconnect ? (
              <span>
                <span className="font-mono">{lastDisconnect.reason}</span> · <RelativeTime timestamp={lastDisconnect.timestamp} />
              </span>
            ) : (
              "—"
            )}
          </Row>
          <Row label="Presence">
            <span data-testid="presence" data-presence={session.presence ?? ""}>
              {session.presence ?? "—"}
            </span>
            <span className="text-zinc-500">
              {pulse.enabled ? (
                <>
                  {" "}
                  · pulse every {seconds(pulse.intervalMs)}, last <RelativeTime timestamp={pulse.lastAt} />
                </>
              ) : (
                " · no presence pulse"
              )}
            </span>
          </Row>
          <Row label="WhatsApp Web">
            <span className="font-mono" data-testid="web-version">
              {session.engine.WWebVersion ?? "—"}
            </span>
          </Row>
        </dl>
      </CardBody>
    </Card>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words text-zinc-800 dark:text-zinc-200">{children}</dd>
    </>
  );
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
