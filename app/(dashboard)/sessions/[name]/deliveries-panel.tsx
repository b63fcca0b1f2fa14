"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { isApiError, redeliver, sendTestEvent, type TDeliveryListParams } from "@/lib/api-client";
import type { TSession } from "@/lib/session";
import { DELIVERY_STATES, type TDeliveryState, type TWebhookDelivery } from "@/lib/webhook-delivery";
import type { TWebhookTestTarget } from "@/lib/webhook-test-event";
import { queryKeys } from "@/components/data/query-keys";
import { useDeliveries, useWebhookTestTargets } from "@/components/data/sessions";
import { Alert } from "@/components/ui/alert";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Select } from "@/components/ui/field";
import { RefreshIcon, SendIcon } from "@/components/ui/icons";
import { Pagination } from "@/components/ui/pagination";
import { Skeleton } from "@/components/ui/skeleton";
import { RelativeTime } from "@/components/ui/time";
import { useToast } from "@/components/ui/toast";
import { DeliveryDetail } from "./delivery-detail";

const STATE_INFO: Record<TDeliveryState, { label: string; tone: BadgeTone }> = {
  pending: { label: "Pending", tone: "amber" },
  in_flight: { label: "Sending", tone: "blue" },
  delivered: { label: "Delivered", tone: "green" },
  dead: { label: "Failed", tone: "red" },
};

const LIMIT = 20;

/** The webhook delivery log: every POST to a receiver, its attempts and outcome; redeliver and test. */
export function DeliveriesPanel({ session }: { session: TSession }) {
  const [params, setParams] = useState<TDeliveryListParams>({ limit: LIMIT, offset: 0 });
  const query = useDeliveries(session.name, params);
  const queryClient = useQueryClient();
  const toast = useToast();
  const [opened, setOpened] = useState<TWebhookDelivery | null>(null);

  const unavailable = query.isError && isApiError(query.error) && query.error.status === 404 && query.error.code !== "session_not_found";
  if (unavailable) {
    return (
      <Alert tone="info" title="Delivery log not available">
        This server does not provide the webhook delivery log (
        <code className="font-mono">/api/sessions/{"{name}"}/webhooks/deliveries</code> answered 404). Webhooks are still sent; update
        Switchboard to inspect and redeliver them here.
      </Alert>
    );
  }

  const redeliverOne = async (delivery: TWebhookDelivery) => {
    try {
      await redeliver(session.name, delivery.id);
      toast.success("Queued for redelivery", `${delivery.event} → ${delivery.url}`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.deliveries(session.name) });
    } catch (error) {
      toast.error("Redelivery failed", isApiError(error) ? error.message : undefined);
    }
  };

  return (
    <div className="grid gap-4">
      <TestEventForm session={session} />
      <div className="flex flex-wrap items-center gap-3">
        <label className="flex items-center gap-2 text-[13px]">
          <span className="text-zinc-600 dark:text-zinc-400">State</span>
          <Select
            aria-label="Filter deliveries by state"
            value={params.state ?? ""}
            onChange={(e) => setParams({ ...params, state: (e.target.value || undefined) as TDeliveryState | undefined, offset: 0 })}
            className="h-8 w-36 text-[13px]"
          >
            <option value="">Any</option>
            {DELIVERY_STATES.map((state) => (
              <option key={state} value={state}>
                {STATE_INFO[state].label}
              </option>
            ))}
          </Select>
        </label>
        <label className="flex items-center gap-2 text-[13px]">
          <span className="text-zinc-600 dark:text-zinc-400">Event</span>
          <Input
            aria-label="Filter deliveries by event name"
            placeholder="e.g. message"
            value={params.event ?? ""}
            onChange={(e) => setParams({ ...params, event: e.target.value || undefined, offset: 0 })}
            className="h-8 w-40 font-mono text-[13px]"
          />
        </label>
        <Button
          size="sm"
          variant="ghost"
          className="ml-auto"
          icon={<RefreshIcon className="size-3.5" />}
          loading={query.isFetching}
          onClick={() => query.refetch()}
        >
          Refresh
        </Button>
      </div>

      {query.isError && !query.data ? (
        <Alert tone="error" title="The delivery log could not be loaded">
          {isApiError(query.error) ? query.error.message : "Unexpected error."}
        </Alert>
      ) : query.isPending ? (
        <div className="grid gap-2">
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} className="h-10 w-full" />
          ))}
        </div>
      ) : query.data.items.length === 0 ? (
        <EmptyState
          title={params.state || params.event ? "No deliveries match" : "No deliveries yet"}
          className="rounded-lg border border-dashed border-zinc-300 py-10 dark:border-zinc-700"
        >
          {session.config.webhooks?.length
            ? "Deliveries appear here as this session's events are sent to its webhooks. Send a test event to try a receiver."
            : "This session has no webhooks. Add one in its configuration to have events POSTed to your receiver."}
        </EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
            <table className="w-full text-[13px]" data-testid="deliveries">
              <caption className="sr-only">Webhook deliveries, newest first</caption>
              <thead className="bg-zinc-50 text-left text-xs text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
                <tr>
                  {["Event", "State", "Receiver", "Attempts", "Last result", "Created"].map((label) => (
                    <th key={label} scope="col" className="px-3 py-2 font-medium">
                      {label}
                    </th>
                  ))}
                  <th scope="col" className="px-3 py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {query.data.items.map((delivery) => (
                  <tr key={delivery.id} data-delivery={delivery.id}>
                    <td className="px-3 py-2 font-mono text-xs whitespace-nowrap">
                      <button
                        type="button"
                        className="rounded font-medium text-emerald-700 hover:underline dark:text-emerald-400"
                        aria-label={`Details of ${delivery.event} to ${delivery.url}`}
                        onClick={() => setOpened(delivery)}
                      >
                        {delivery.event}
                      </button>
                    </td>
                    <td className="px-3 py-2">
                      <Badge tone={STATE_INFO[delivery.state].tone}>{STATE_INFO[delivery.state].label}</Badge>
                    </td>
                    <td
                      className="max-w-[16rem] truncate px-3 py-2 font-mono text-xs text-zinc-600 dark:text-zinc-400"
                      title={delivery.url}
                    >
                      {delivery.webhook.source === "global" ? <Badge className="mr-1.5">global</Badge> : null}
                      {delivery.url}
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap tabular-nums">
                      {delivery.attempts}/{delivery.maxAttempts}
                      {delivery.cycle > 1 && <span className="ml-1 text-xs text-zinc-500">(cycle {delivery.cycle})</span>}
                    </td>
                    <td className="max-w-[14rem] px-3 py-2 text-xs" title={delivery.lastError ?? undefined}>
                      {delivery.lastStatusCode !== null && (
                        <span
                          className={
                            delivery.lastStatusCode < 300 ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"
                          }
                        >
                          HTTP {delivery.lastStatusCode}
                        </span>
                      )}
                      {delivery.lastError && <span className="block truncate text-zinc-500">{delivery.lastError}</span>}
                      {delivery.state === "pending" && delivery.nextAttemptAt && (
                        <span className="block text-zinc-500">
                          next <RelativeTime timestamp={delivery.nextAttemptAt} />
                        </span>
                      )}
                      {delivery.lastStatusCode === null && !delivery.lastError && delivery.state !== "pending" && "—"}
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap text-zinc-500">
                      <RelativeTime timestamp={delivery.createdAt} />
                    </td>
                    <td className="px-3 py-2 text-right">
                      {(delivery.state === "dead" || delivery.state === "delivered") && (
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={`Redeliver ${delivery.event} to ${delivery.url}`}
                          onClick={() => redeliverOne(delivery)}
                        >
                          Redeliver
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            offset={params.offset ?? 0}
            limit={LIMIT}
            total={query.data.total}
            onOffsetChange={(offset) => setParams({ ...params, offset })}
            label="Delivery pages"
          />
        </>
      )}
      <DeliveryDetail session={session.name} delivery={opened} onClose={() => setOpened(null)} />
    </div>
  );
}

/**
 * Sends a test event to one of the session's real targets (its webhooks with a url and events, and the
 * global webhook when the server has one), and says before sending which event that is: one the
 * webhook subscribed to, or, for a webhook subscribed to nothing Switchboard emits, engine.event outside
 * its subscription.
 */
function TestEventForm({ session }: { session: TSession }) {
  const targets = useWebhookTestTargets(session);
  const [chosen, setChosen] = useState<string | null>(null);
  const toast = useToast();
  const queryClient = useQueryClient();
  const list = targets.data?.targets ?? [];
  const target = list.find((t) => String(t.webhook) === chosen) ?? list[0];
  const send = useMutation({
    mutationFn: (webhook: TWebhookTestTarget["webhook"]) => sendTestEvent(session.name, { webhook }),
    onSuccess: () => {
      toast.success("Test event queued", "It appears in the log below with its outcome.");
      void queryClient.invalidateQueries({ queryKey: queryKeys.deliveries(session.name) });
    },
    onError: (error) => {
      const missing = isApiError(error) && error.status === 404 && error.code !== "session_not_found";
      toast.error(
        "Test event not sent",
        missing
          ? "This server does not support test events."
          : isApiError(error)
            ? (error.details[0]?.message ?? error.message)
            : undefined,
      );
    },
  });
  const box = "rounded-lg border border-zinc-200 bg-zinc-50/60 p-3 text-[13px] dark:border-zinc-800 dark:bg-zinc-900/40";

  if (targets.isPending) return <Skeleton className="h-16 w-full" />;
  if (targets.isError) {
    return (
      <p className={box} data-testid="test-event-unavailable">
        Test events are not available:{" "}
        {isApiError(targets.error) && targets.error.status === 404 && targets.error.code !== "session_not_found"
          ? "this server does not support them."
          : isApiError(targets.error)
            ? targets.error.message
            : "the targets could not be loaded."}
      </p>
    );
  }
  if (!target) {
    return (
      <p className={box} data-testid="test-event-unavailable">
        Nothing to send a test event to: this session has no webhook with a URL and events, and the server has no global webhook. Add one in
        the session&apos;s configuration.
      </p>
    );
  }
  return (
    <form
      className={`grid gap-2 ${box}`}
      onSubmit={(e) => {
        e.preventDefault();
        send.mutate(target.webhook);
      }}
    >
      <div className="flex flex-wrap items-end gap-2">
        <label className="grid min-w-[14rem] flex-1 gap-1">
          <span className="font-medium text-zinc-800 dark:text-zinc-200">Send a test event to</span>
          <Select value={String(target.webhook)} onChange={(e) => setChosen(e.target.value)}>
            {list.map((t) => (
              <option key={String(t.webhook)} value={String(t.webhook)}>
                {t.source === "global" ? `The global webhook: ${t.url}` : `${t.index! + 1}. ${t.url}`}
              </option>
            ))}
          </Select>
        </label>
        <Button type="submit" variant="secondary" loading={send.isPending} icon={<SendIcon className="size-3.5" />}>
          Send test event
        </Button>
      </div>
      <p
        data-testid="test-event-kind"
        data-event={target.event}
        data-subscribed={target.subscribed}
        className="text-zinc-600 dark:text-zinc-400"
      >
        {target.subscribed ? (
          <>
            Sends <code className="font-mono">{target.event}</code>, an event it subscribed to, with{" "}
            <code className="font-mono">&quot;test&quot;: true</code> in its data.
          </>
        ) : (
          <span className="text-amber-700 dark:text-amber-400">
            This webhook subscribes only to events Switchboard does not send ({target.events.join(", ")}), so the test is outside its
            subscription: it is sent as <code className="font-mono">engine.event</code> (<code className="font-mono">webhook.test</code>).
          </span>
        )}
      </p>
    </form>
  );
}
