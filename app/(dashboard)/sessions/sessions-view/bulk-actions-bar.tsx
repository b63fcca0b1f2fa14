import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { deleteSession, isApiError, runSessionAction, type TSessionAction, type TSessionListParams } from "@/lib/api-client";
import { queryKeys } from "@/components/data/query-keys";
import { ACTION_LABELS, listMatchingNames, runBulk } from "@/components/data/sessions";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { LogoutIcon, PlayIcon, RefreshIcon, StopIcon, TrashIcon } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";

type TBulkAction = TSessionAction | "delete";

/** What the bulk actions apply to: rows picked on the page shown, or every session matching the filters. */
export type TBulkTarget =
  { kind: "rows"; names: string[] } | { kind: "matching"; total: number; params: Omit<TSessionListParams, "limit" | "offset"> };

const BULK: { action: TBulkAction; Icon: typeof PlayIcon; danger?: boolean }[] = [
  { action: "start", Icon: PlayIcon },
  { action: "stop", Icon: StopIcon },
  { action: "restart", Icon: RefreshIcon },
  { action: "logout", Icon: LogoutIcon, danger: true },
  { action: "delete", Icon: TrashIcon, danger: true },
];

/** What each action will do, said before it runs (every action but start asks first). */
const CONSEQUENCE: Record<Exclude<TBulkAction, "start">, string> = {
  stop: "They disconnect from WhatsApp and stop receiving messages until started again. Their logins are kept.",
  restart: "Each one stops and starts again; messages arriving meanwhile are delivered after it reconnects.",
  logout:
    "Each one is unlinked from its phone and its login data wiped; its config is kept. Using it again needs a new QR scan or pairing code.",
  delete: "Each one is stopped, logged out and removed with its config and delivery log. This cannot be undone.",
};

const plural = (n: number) => `${n.toLocaleString("en-US")} session${n === 1 ? "" : "s"}`;

/**
 * Start, stop, restart, log out or delete the selected rows, or every session matching the filters ("Select all N
 * matching" once the whole page is selected). All but start ask first, with the count. Each session is one call to
 * the API (a few at a time); the bar counts them as they finish, and a toast tells how it went.
 */
export function BulkActionsBar({
  target,
  pageSelected,
  total,
  onSelectAllMatching,
  onDone,
}: {
  target: TBulkTarget;
  /** Every row of the page shown is selected (and more sessions match): offer to select them all. */
  pageSelected: boolean;
  total: number;
  onSelectAllMatching: () => void;
  onDone: () => void;
}) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [running, setRunning] = useState<{ action: TBulkAction; done: number; of: number } | null>(null);
  const [confirming, setConfirming] = useState<TBulkAction | null>(null);
  const count = target.kind === "rows" ? target.names.length : target.total;

  async function run(action: TBulkAction) {
    setConfirming(null);
    setRunning({ action, done: 0, of: count });
    let names: string[];
    try {
      names = target.kind === "rows" ? target.names : await listMatchingNames(target.params);
    } catch (error) {
      setRunning(null);
      toast.error("The matching sessions could not be listed", isApiError(error) ? error.message : undefined);
      return;
    }
    setRunning({ action, done: 0, of: names.length });
    const failures = await runBulk(
      names,
      (name) => (action === "delete" ? deleteSession(name) : runSessionAction(name, action)),
      4,
      (done) => setRunning({ action, done, of: names.length }),
    );
    setRunning(null);
    void queryClient.invalidateQueries({ queryKey: queryKeys.sessions() });
    const ok = names.length - failures.length;
    const verb = ACTION_LABELS[action].done;
    if (failures.length === 0) toast.success(`${plural(ok)} ${verb}`);
    else
      toast.error(
        `${failures.length} of ${names.length} could not be ${verb}`,
        failures
          .slice(0, 3)
          .map((f) => `${f.item}: ${isApiError(f.error) ? f.error.message : "failed"}`)
          .join("; "),
      );
    onDone();
  }

  return (
    <div
      role="region"
      aria-label="Bulk actions"
      data-testid="bulk-actions"
      data-target={target.kind}
      data-count={count}
      className="mb-3 flex flex-wrap items-center gap-2 rounded-xl border border-emerald-200 bg-emerald-50/70 px-3 py-2 dark:border-emerald-900/60 dark:bg-emerald-950/30"
    >
      <p className="mr-auto flex flex-wrap items-center gap-x-2 text-sm text-emerald-900 dark:text-emerald-100" aria-live="polite">
        <span className="font-medium" data-testid="bulk-selection">
          {target.kind === "rows"
            ? `${target.names.length.toLocaleString("en-US")} selected on this page`
            : `All ${plural(target.total)} matching the filters selected`}
        </span>
        {target.kind === "rows" && pageSelected && total > count && (
          <button
            type="button"
            className="font-medium underline underline-offset-2"
            onClick={onSelectAllMatching}
            disabled={running !== null}
          >
            Select all {total.toLocaleString("en-US")} matching
          </button>
        )}
        {running && (
          <span data-testid="bulk-progress" className="tabular-nums">
            {ACTION_LABELS[running.action].verb}: {running.done.toLocaleString("en-US")} of {running.of.toLocaleString("en-US")} done
          </span>
        )}
      </p>
      {BULK.map(({ action, Icon, danger }) => (
        <Button
          key={action}
          size="sm"
          variant={danger ? "danger" : "secondary"}
          loading={running?.action === action}
          disabled={running !== null}
          icon={<Icon className="size-3.5" />}
          onClick={() => (action === "start" ? run(action) : setConfirming(action))}
        >
          {ACTION_LABELS[action].verb}
        </Button>
      ))}
      <Button size="sm" variant="ghost" onClick={onDone} disabled={running !== null}>
        Clear
      </Button>
      <ConfirmDialog
        open={confirming !== null}
        onCancel={() => setConfirming(null)}
        onConfirm={() => confirming && run(confirming)}
        title={confirming ? `${ACTION_LABELS[confirming].verb} ${plural(count)}?` : ""}
        description={confirming && confirming !== "start" ? CONSEQUENCE[confirming] : undefined}
        confirmLabel={confirming ? `${ACTION_LABELS[confirming].verb} ${plural(count)}` : ""}
      >
        {target.kind === "rows" ? (
          <p className="max-h-32 overflow-y-auto font-mono text-xs text-zinc-500">{target.names.join(", ")}</p>
        ) : (
          <p className="text-xs text-zinc-500">Every session matching the search and status filters, on every page.</p>
        )}
      </ConfirmDialog>
    </div>
  );
}
