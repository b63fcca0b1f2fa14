"use client";

import { isApiError } from "@/lib/api-client";
import type { TWebhookAttempt, TWebhookDelivery } from "@/lib/webhook-delivery";
import { useDelivery } from "@/components/data/sessions";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDateTime } from "@/components/ui/time";

const OUTCOME_TONE = { delivered: "green", retry: "amber", dead: "red" } as const;
const OUTCOME_LABEL = { delivered: "Delivered", retry: "Will retry", dead: "Gave up" } as const;

/**
 * One delivery in full: the request (URL, headers with custom header values redacted, the body) and every
 * attempt with its status code, latency, error and the start of the receiver's answer. Asked again on each
 * push of this delivery, so attempts appear while it is open.
 */
export function DeliveryDetail({
  session,
  delivery,
  onClose,
}: {
  session: string;
  delivery: TWebhookDelivery | null;
  onClose: () => void;
}) {
  const detail = useDelivery(session, delivery?.id ?? null);
  return (
    <Dialog
      open={delivery !== null}
      onClose={onClose}
      title={delivery ? `${delivery.event} → ${delivery.url}` : ""}
      description={delivery ? <span className="font-mono text-xs break-all">{delivery.id}</span> : undefined}
      className="max-w-3xl"
      footer={
        <Button variant="secondary" onClick={onClose}>
          Close
        </Button>
      }
    >
      {detail.isError ? (
        <Alert tone="error" title="The delivery could not be loaded">
          {isApiError(detail.error) ? detail.error.message : "Unexpected error."}
        </Alert>
      ) : !detail.data ? (
        <div className="grid gap-2">
          <Skeleton className="h-24 w-full" />
          <Skeleton className="h-24 w-full" />
        </div>
      ) : (
        <div className="grid gap-5 text-[13px]" data-testid="delivery-detail">
          <section aria-labelledby="delivery-request" className="grid gap-2">
            <h3 id="delivery-request" className="font-semibold">
              Request
            </h3>
            <p className="font-mono text-xs break-all">
              <span className="font-semibold">POST</span> {detail.data.request.url}
            </p>
            <table className="w-full text-xs" data-testid="delivery-headers">
              <caption className="sr-only">Request headers</caption>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {Object.entries(detail.data.request.headers).map(([name, value]) => (
                  <tr key={name} data-header={name}>
                    <th scope="row" className="py-1 pr-3 text-left align-top font-mono font-medium whitespace-nowrap">
                      {name}
                    </th>
                    <td className="py-1 font-mono break-all text-zinc-600 dark:text-zinc-400">{value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="flex items-center justify-between">
              <span className="text-xs font-medium text-zinc-600 dark:text-zinc-400">Body</span>
              <CopyButton value={JSON.stringify(detail.data.envelope, null, 2)} label="Copy the body" />
            </div>
            <pre
              data-testid="delivery-body"
              className="max-h-64 overflow-auto rounded-lg bg-zinc-50 p-3 font-mono text-xs leading-relaxed dark:bg-zinc-950"
            >
              {JSON.stringify(detail.data.envelope, null, 2)}
            </pre>
          </section>
          <section aria-labelledby="delivery-attempts" className="grid gap-2">
            <h3 id="delivery-attempts" className="font-semibold">
              Attempts
            </h3>
            {detail.data.attemptLog.length === 0 ? (
              <p className="text-zinc-600 dark:text-zinc-400">Not sent yet.</p>
            ) : (
              <ol className="grid gap-2">
                {detail.data.attemptLog.map((attempt) => (
                  <Attempt key={attempt.id} attempt={attempt} />
                ))}
              </ol>
            )}
          </section>
        </div>
      )}
    </Dialog>
  );
}

function Attempt({ attempt }: { attempt: TWebhookAttempt }) {
  return (
    <li
      data-testid="delivery-attempt"
      data-status-code={attempt.statusCode ?? ""}
      data-outcome={attempt.outcome}
      className="rounded-lg border border-zinc-200 p-3 dark:border-zinc-800"
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span className="font-medium">
          Attempt {attempt.number}
          {attempt.cycle > 1 && <span className="text-zinc-500"> (cycle {attempt.cycle})</span>}
        </span>
        <Badge tone={OUTCOME_TONE[attempt.outcome]}>{OUTCOME_LABEL[attempt.outcome]}</Badge>
        <span
          className={
            attempt.statusCode !== null && attempt.statusCode < 300
              ? "text-emerald-700 dark:text-emerald-400"
              : "text-red-700 dark:text-red-400"
          }
        >
          {attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : "No response"}
        </span>
        <span className="tabular-nums" data-testid="attempt-latency">
          {attempt.latencyMs} ms
        </span>
        <span className="text-zinc-500">{formatDateTime(attempt.startedAt)}</span>
      </div>
      {attempt.error && <p className="mt-1 text-red-700 dark:text-red-400">{attempt.error}</p>}
      {attempt.responseExcerpt !== null && attempt.responseExcerpt !== "" && (
        <pre
          data-testid="attempt-response"
          className="mt-2 max-h-32 overflow-auto rounded bg-zinc-50 p-2 font-mono text-xs whitespace-pre-wrap dark:bg-zinc-950"
        >
          {attempt.responseExcerpt}
        </pre>
      )}
    </li>
  );
}
