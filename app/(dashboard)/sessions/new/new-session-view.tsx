"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { createSession } from "@/lib/api-client";
import { draftFromConfig } from "@/lib/dashboard-config-draft";
import { queryKeys } from "@/components/data/query-keys";
import { SessionForm } from "@/components/sessions/session-form/session-form";
import { PageHeader } from "@/components/shell/app-shell";
import { ChevronLeftIcon } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";

export function NewSessionView() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [initial] = useState(() => draftFromConfig({}, "", true));
  return (
    <>
      <PageHeader
        back={
          <Link
            href="/sessions"
            className="inline-flex items-center gap-1 text-sm text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
          >
            <ChevronLeftIcon className="size-4" />
            Sessions
          </Link>
        }
        title="New session"
        description="One WhatsApp account. After it starts, scan its QR code with the phone (or use a pairing code)."
      />
      <SessionForm
        mode="create"
        initial={initial}
        submitLabel="Create session"
        onCancel={() => router.push("/sessions")}
        onSubmit={async (body) => {
          const session = await createSession(body);
          queryClient.setQueryData(queryKeys.detail(session.name), session);
          void queryClient.invalidateQueries({ queryKey: queryKeys.lists() });
          toast.success(
            `Session ${session.name} created`,
            session.status === "STOPPED" ? "It is stopped; start it when you are ready." : undefined,
          );
          router.push(`/sessions/${encodeURIComponent(session.name)}`);
        }}
      />
    </>
  );
}
