"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { isApiError, type TSessionAction } from "@/lib/api-client";
import type { TSession } from "@/lib/session";
import { isRunningStatus } from "@/lib/session-status";
import { queryKeys } from "@/components/data/query-keys";
import { useClearLiveEvents, useRealtimeSubscription } from "@/components/data/realtime";
import { ACTION_LABELS, useSession, useSessionAction } from "@/components/data/sessions";
import { MetadataChips, formatPhone } from "@/components/sessions/metadata-chips";
import { RestrictionBanners } from "@/components/sessions/restrictions";
import { StatusBadge } from "@/components/sessions/status-badge";
import { PageHeader } from "@/components/shell/app-shell";
import { Alert } from "@/components/ui/alert";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/dialog";
import { ErrorBoundary } from "@/components/ui/error-boundary";
import { ChevronLeftIcon, EditIcon, LogoutIcon, PlayIcon, RefreshIcon, StopIcon, TrashIcon } from "@/components/ui/icons";
import { Skeleton } from "@/components/ui/skeleton";
import { TabPanel, Tabs } from "@/components/ui/tabs";
import { ActivityTime } from "@/components/sessions/activity-time";
import { ProfilePicture } from "@/components/sessions/profile-picture";
import { useToast } from "@/components/ui/toast";
import { DeliveriesPanel } from "./deliveries-panel";
import { EventStream } from "./event-stream";
import { HealthPanel } from "./health-panel";
import { LoginPanel } from "./login-panel";
import { ResourcesPanel } from "./resources-panel";
import { ScreenshotPanel } from "./screenshot-panel";
import { StatusTimeline } from "./status-timeline";

type TAction = TSessionAction | "delete";

const CONFIRM: Partial<Record<TAction, { title: string; body: string; label: string }>> = {
  stop: {
    title: "Stop this session?",
    body: "It disconnects from WhatsApp and stops receiving messages until started again. The login is kept, so no new QR scan is needed.",
    label: "Stop session",
  },
  restart: {
    title: "Restart this session?",
    body: "The browser is closed and started again. Messages arriving meanwhile are received after it reconnects.",
    label: "Restart session",
  },
  logout: {
    title: "Log out of WhatsApp?",
    body: "The linked device is removed from the phone and the stored login deleted. Its configuration stays; a new QR scan is needed to use it again.",
    label: "Log out",
  },
  delete: {
    title: "Delete this session?",
    body: "It is logged out, stopped, and its configuration, metadata and webhooks are deleted. This cannot be undone.",
    label: "Delete session",
  },
};

const TABS = [
  { value: "events", label: "Live events" },
  { value: "deliveries", label: "Webhook deliveries" },
  { value: "screenshot", label: "Screenshot" },
  { value: "config", label: "Configuration" },
] as const;
type TTab = (typeof TABS)[number]["value"];

export function SessionDetailView({ name }: { name: string }) {
  const query = useSession(name);
  useRealtimeSubscription(name);
  const action = useSessionAction();
  const toast = useToast();
  const router = useRouter();
  const [confirming, setConfirming] = useState<TAction | null>(null);
  // ?tab=deliveries opens a tab (the sessions list links failing webhooks to their delivery log).
  const asked = useSearchParams().get("tab");
  const [tab, setTab] = useState<TTab>(TABS.find((t) => t.value === asked)?.value ?? "events");
  const queryClient = useQueryClient();
  const clearEvents = useClearLiveEvents(name);
  // "Try again" in a panel that failed starts it from fresh data, not from what broke it.
  const reload = (queryKey: readonly unknown[]) => () => void queryClient.resetQueries({ queryKey });

  const back = (
    <Link
      href="/sessions"
      className="inline-flex items-center gap-1 text-sm text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
    >
      <ChevronLeftIcon className="size-4" />
      Sessions
    </Link>
  );

  const run = (kind: TAction) => {
    setConfirming(null);
    action.mutate(
      { name, action: kind },
      {
        onSuccess: () => {
          toast.success(`Session ${ACTION_LABELS[kind].done}`, kind === "logout" ? "Scan a new QR code to log in again." : undefined);
          if (kind === "delete") router.push("/sessions");
        },
        onError: (error) =>
          toast.error(`Could not ${ACTION_LABELS[kind].verb.toLowerCase()} the session`, isApiError(error) ? error.message : undefined),
      },
    );
  };
  const request = (kind: TAction) => (CONFIRM[kind] ? setConfirming(kind) : run(kind));

  if (query.isError && !query.data) {
    const notFound = isApiError(query.error) && query.error.status === 404;
    return (
      <>
        <PageHeader back={back} title={<span className="font-mono">{name}</span>} />
        <Alert
          tone="error"
          title={notFound ? "This session does not exist" : "The session could not be loaded"}
          actions={
            notFound ? (
              <Link href="/sessions/new" className={buttonClasses("secondary", "sm")}>
                Create a session
              </Link>
            ) : (
              <Button size="sm" variant="secondary" onClick={() => query.refetch()}>
                Try again
              </Button>
            )
          }
        >
          {notFound
            ? "It may have been deleted, or the name is misspelt."
            : isApiError(query.error)
              ? query.error.message
              : "Unexpected error."}
        </Alert>
      </>
    );
  }

  const session = query.data;
  if (!session) return <DetailSkeleton back={back} name={name} />;

  const running = isRunningStatus(session.status);
  const busy = action.isPending ? action.variables?.action : undefined;

  return (
    <>
      <PageHeader
        back={back}
        title={
          <span className="flex flex-wrap items-center gap-3">
            <span className="font-mono break-all">{session.name}</span>
            <span role="status" aria-live="polite" aria-label={`Status: ${session.status}`}>
              <StatusBadge status={session.status} />
            </span>
          </span>
        }
        description={<Summary session={session} />}
        actions={
          <>
            {!running && (
              <Button
                variant="primary"
                size="sm"
                icon={<PlayIcon className="size-3.5" />}
                loading={busy === "start"}
                onClick={() => request("start")}
              >
                Start
              </Button>
            )}
            {running && (
              <Button
                variant="secondary"
                size="sm"
                icon={<StopIcon className="size-3.5" />}
                loading={busy === "stop"}
                onClick={() => request("stop")}
              >
                Stop
              </Button>
            )}
            <Button
              variant="secondary"
              size="sm"
              icon={<RefreshIcon className="size-3.5" />}
              loading={busy === "restart"}
              onClick={() => request("restart")}
            >
              Restart
            </Button>
            <Button
              variant="secondary"
              size="sm"
              icon={<LogoutIcon className="size-3.5" />}
              loading={busy === "logout"}
              onClick={() => request("logout")}
            >
              Log out
            </Button>
            <Link href={`/sessions/${encodeURIComponent(session.name)}/edit`} className={buttonClasses("secondary", "sm")}>
              <EditIcon className="size-3.5" />
              Edit
            </Link>
            <Button
              variant="ghost"
              size="sm"
              className="text-red-600 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950/40"
              icon={<TrashIcon className="size-3.5" />}
              loading={busy === "delete"}
              onClick={() => request("delete")}
            >
              Delete
            </Button>
          </>
        }
      />

      <RestrictionBanners me={session.me} />

      <div className="grid gap-5 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <ErrorBoundary title="The login panel could not be shown" onReset={reload(queryKeys.qr(name))}>
            <LoginPanel session={session} onAction={(kind) => run(kind)} />
          </ErrorBoundary>
        </div>
        <ErrorBoundary title="The status history could not be shown" onReset={reload(queryKeys.detail(name))}>
          <StatusTimeline statuses={session.statuses} />
        </ErrorBoundary>
      </div>

      <div className="mt-5">
        <ErrorBoundary title="The health could not be shown" onReset={reload(queryKeys.detail(name))}>
          <HealthPanel session={session} />
        </ErrorBoundary>
      </div>

      <div className="mt-5">
        <ErrorBoundary title="The resources could not be shown" onReset={reload(queryKeys.resources(name))}>
          <ResourcesPanel session={session} />
        </ErrorBoundary>
      </div>

      <Card className="mt-5">
        <Tabs idBase="detail" label="Session details" items={[...TABS]} value={tab} onChange={setTab} className="px-2 sm:px-3" />
        <CardBody>
          <TabPanel idBase="detail" value="events" active={tab === "events"}>
            <ErrorBoundary title="The live events could not be shown" onReset={clearEvents}>
              <EventStream session={session.name} />
            </ErrorBoundary>
          </TabPanel>
          <TabPanel idBase="detail" value="deliveries" active={tab === "deliveries"}>
            <ErrorBoundary title="The webhook deliveries could not be shown" onReset={reload(queryKeys.deliveries(name))}>
              <DeliveriesPanel session={session} />
            </ErrorBoundary>
          </TabPanel>
          <TabPanel idBase="detail" value="screenshot" active={tab === "screenshot"}>
            <ErrorBoundary title="The screenshot could not be shown">
              <ScreenshotPanel session={session} />
            </ErrorBoundary>
          </TabPanel>
          <TabPanel idBase="detail" value="config" active={tab === "config"}>
            <ErrorBoundary title="The configuration could not be shown">
              <ConfigView session={session} />
            </ErrorBoundary>
          </TabPanel>
        </CardBody>
      </Card>

      <ConfirmDialog
        open={confirming !== null}
        onCancel={() => setConfirming(null)}
        onConfirm={() => confirming && run(confirming)}
        title={confirming ? CONFIRM[confirming]?.title : ""}
        description={confirming ? CONFIRM[confirming]?.body : undefined}
        confirmLabel={confirming ? (CONFIRM[confirming]?.label ?? "") : ""}
      >
        <p className="font-mono text-sm">{session.name}</p>
      </ConfirmDialog>
    </>
  );
}

function Summary({ session }: { session: TSession }) {
  return (
    <span className="flex flex-wrap items-center gap-x-4 gap-y-1.5">
      <ProfilePicture session={session} className="size-6" />
      <span className="font-mono tabular-nums">{formatPhone(session.me?.id) ?? "Not logged in"}</span>
      {session.me?.pushName && <span>{session.me.pushName}</span>}
      <span className="font-mono text-xs">{session.engine.engine}</span>
      <span>
        Active <ActivityTime timestamp={session.timestamps.activity} />
      </span>
      <MetadataChips metadata={session.config.metadata} max={6} />
    </span>
  );
}

function ConfigView({ session }: { session: TSession }) {
  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-[13px] text-zinc-600 dark:text-zinc-400">The stored configuration, as the API returns it (secrets redacted).</p>
        <Link href={`/sessions/${encodeURIComponent(session.name)}/edit`} className={buttonClasses("secondary", "sm")}>
          <EditIcon className="size-3.5" />
          Edit configuration
        </Link>
      </div>
      <pre
        className="max-h-[32rem] overflow-auto rounded-lg border border-zinc-200 bg-zinc-50 p-4 font-mono text-xs leading-relaxed dark:border-zinc-800 dark:bg-zinc-950"
        data-testid="config-json"
      >
        {JSON.stringify(session.config, null, 2)}
      </pre>
    </div>
  );
}

function DetailSkeleton({ back, name }: { back: React.ReactNode; name: string }) {
  return (
    <>
      <PageHeader back={back} title={<span className="font-mono">{name}</span>} description={<Skeleton className="h-4 w-64" />} />
      <div className="grid gap-5 lg:grid-cols-3" aria-busy="true" aria-label="Loading session">
        <Card className="lg:col-span-2">
          <CardHeader title="Log in" />
          <CardBody>
            <Skeleton className="size-64" />
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Status history" />
          <CardBody className="grid gap-3">
            <Skeleton className="h-5 w-full" />
            <Skeleton className="h-5 w-4/5" />
            <Skeleton className="h-5 w-3/5" />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
