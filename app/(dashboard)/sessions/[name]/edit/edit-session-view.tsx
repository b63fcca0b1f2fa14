"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { getRevealedConfig, isApiError, updateSession } from "@/lib/api-client";
import { draftFromConfig } from "@/lib/dashboard-config-draft";
import type { TSessionFormBody } from "@/lib/dashboard-config-validation";
import { fieldLabel } from "@/lib/dashboard-field-labels";
import { restartingFieldsChanged, type TSessionConfig } from "@/lib/session-config";
import { isRunningStatus } from "@/lib/session-status";
import { queryKeys } from "@/components/data/query-keys";
import { useSession } from "@/components/data/sessions";
import { SessionForm } from "@/components/sessions/session-form/session-form";
import { StatusBadge } from "@/components/sessions/status-badge";
import { PageHeader } from "@/components/shell/app-shell";
import { Alert } from "@/components/ui/alert";
import { buttonClasses } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { ChevronLeftIcon } from "@/components/ui/icons";
import { Skeleton } from "@/components/ui/skeleton";
import { useToast } from "@/components/ui/toast";

export function EditSessionView({ name }: { name: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const query = useSession(name);
  const [initial, setInitial] = useState<ReturnType<typeof draftFromConfig> | null>(null);
  const [confirm, setConfirm] = useState(false);
  const pending = useRef<{ body: TSessionFormBody<"edit">; resolve: (result?: "cancelled") => void; reject: (e: unknown) => void } | null>(
    null,
  );

  // The form starts from the config as loaded; later pushes (status changes) do not reset edits.
  if (!initial && query.data) setInitial(draftFromConfig(query.data.config, query.data.name, false));

  const back = (
    <Link
      href={`/sessions/${encodeURIComponent(name)}`}
      className="inline-flex items-center gap-1 text-sm text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
    >
      <ChevronLeftIcon className="size-4" />
      {name}
    </Link>
  );

  if (query.isError && !query.data) {
    const notFound = isApiError(query.error) && query.error.status === 404;
    return (
      <>
        <PageHeader back={back} title={`Edit ${name}`} />
        <Alert
          tone="error"
          title={notFound ? "This session does not exist" : "The session could not be loaded"}
          actions={
            <Link href="/sessions" className={buttonClasses("secondary", "sm")}>
              Back to sessions
            </Link>
          }
        >
          {notFound
            ? "It may have been deleted. Create it again from the sessions page."
            : isApiError(query.error)
              ? query.error.message
              : "Unexpected error."}
        </Alert>
      </>
    );
  }

  if (!initial || !query.data) {
    return (
      <>
        <PageHeader back={back} title={`Edit ${name}`} />
        <div className="grid gap-4" aria-busy="true" aria-label="Loading">
          <Skeleton className="h-10 w-60" />
          <Skeleton className="h-40 w-full" />
          <Skeleton className="h-64 w-full" />
        </div>
      </>
    );
  }

  const running = isRunningStatus(query.data.status);
  const loaded = query.data.config;
  // Only a change the browser reads restarts a running session (the API decides the same way, lib/session-config.ts).
  const restarts = (config: TSessionConfig | undefined) => running && restartingFieldsChanged(loaded, config).length > 0;

  async function save(body: TSessionFormBody<"edit">) {
    const restarted = restarts(body.config ?? {});
    const session = await updateSession(name, body.config ?? {});
    queryClient.setQueryData(queryKeys.detail(name), session);
    void queryClient.invalidateQueries({ queryKey: queryKeys.lists() });
    toast.success(
      "Configuration saved",
      restarted
        ? "The session restarts with it."
        : running
          ? "The running session uses it from its next event, without a restart."
          : undefined,
    );
    router.push(`/sessions/${encodeURIComponent(name)}`);
  }

  return (
    <>
      <PageHeader
        back={back}
        title={
          <span className="flex flex-wrap items-center gap-3">
            Edit <span className="font-mono">{name}</span>
            <StatusBadge status={query.data.status} live />
          </span>
        }
        description="The whole configuration is replaced by what you save."
      />
      <SessionForm
        mode="edit"
        initial={initial}
        submitLabel={(config) => (restarts(config) ? "Save and restart" : "Save")}
        onCancel={() => router.push(`/sessions/${encodeURIComponent(name)}`)}
        onRevealSecrets={() => getRevealedConfig(name)}
        notice={(config) =>
          restarts(config) ? (
            <Alert tone="warning" title="Saving restarts this session" className="mb-4">
              It is {query.data.status.toLowerCase().replace(/_/g, " ")}: a change to{" "}
              {restartingFieldsChanged(loaded, config)
                .map((field) => fieldLabel(`config.${field}`))
                .join(", ")}{" "}
              takes a restart, so it stops and starts again with the new configuration. Its WhatsApp login is kept. Metadata, webhooks and
              ignored chats alone apply without one.
            </Alert>
          ) : undefined
        }
        onSubmit={(body) =>
          restarts(body.config ?? {})
            ? new Promise<void | "cancelled">((resolve, reject) => {
                pending.current = { body, resolve, reject };
                setConfirm(true);
              })
            : save(body)
        }
      />
      <ConfirmDialog
        open={confirm}
        title={`Restart ${name}?`}
        description="The session is running. Saving stops it and starts it again with the new configuration; messages arriving meanwhile are received after it reconnects."
        confirmLabel="Save and restart"
        destructive={false}
        onCancel={() => {
          setConfirm(false);
          pending.current?.resolve("cancelled");
          pending.current = null;
        }}
        onConfirm={() => {
          setConfirm(false);
          const job = pending.current;
          pending.current = null;
          if (job) save(job.body).then(() => job.resolve(), job.reject);
        }}
      />
    </>
  );
}
