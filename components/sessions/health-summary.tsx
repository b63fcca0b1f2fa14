import Link from "next/link";
import type { TSession } from "@/lib/session";
import { Badge } from "@/components/ui/badge";
import { RestrictionChips } from "./restrictions";

/** What a list row says about a session's health: failures in a row, restrictions, and the reason of the last change. */
export function HealthSummary({ session }: { session: TSession }) {
  const reason = session.statuses.at(-1)?.reason ?? null;
  const { failures, maxFailures, gaveUp } = session.health;
  return (
    <div className="min-w-0 space-y-1">
      <div className="flex flex-wrap items-center gap-1.5">
        {failures > 0 && (
          <Badge
            tone={gaveUp ? "red" : "amber"}
            data-testid="session-attempts"
            data-failures={failures}
            title={gaveUp ? "Automatic restarts stopped: start the session by hand" : "Failures in a row; automatic restarts go on"}
          >
            {failures}/{maxFailures || "∞"} {failures === 1 ? "failure" : "failures"}
            {gaveUp ? ", gave up" : ""}
          </Badge>
        )}
        <RestrictionChips me={session.me} />
        <WebhookTrouble session={session} />
      </div>
      {reason && (
        <p className="truncate text-[13px] text-zinc-500 dark:text-zinc-400" title={reason} data-testid="session-reason">
          {reason}
        </p>
      )}
    </div>
  );
}

/** Failing webhook deliveries (retries pending, dead within the hour): a chip linking to the session's delivery log. */
function WebhookTrouble({ session }: { session: TSession }) {
  const trouble = session.webhookTrouble;
  if (!trouble) return null;
  const parts = [trouble.retrying > 0 && `${trouble.retrying} retrying`, trouble.dead > 0 && `${trouble.dead} dead`].filter(Boolean);
  return (
    <Link
      href={`/sessions/${encodeURIComponent(session.name)}?tab=deliveries`}
      prefetch={false}
      data-testid="webhook-trouble"
      data-retrying={trouble.retrying}
      data-dead={trouble.dead}
      title="Webhook deliveries are failing: retries pending (the receiver may be down, its circuit open) or given up within the last hour. Open the delivery log."
      className="rounded-md focus-visible:outline-2"
    >
      <Badge tone={trouble.dead > 0 ? "red" : "amber"}>Webhooks failing: {parts.join(", ")}</Badge>
    </Link>
  );
}
