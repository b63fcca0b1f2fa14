import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { isApiError, runSessionAction, type TSessionAction } from "@/lib/api-client";
import { queryKeys } from "@/components/data/query-keys";
import { ACTION_LABELS, runBulk } from "@/components/data/sessions";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { PlayIcon, RefreshIcon, StopIcon } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";

const BULK: { action: TSessionAction; Icon: typeof PlayIcon; confirm: boolean }[] = [
  { action: "start", Icon: PlayIcon, confirm: false },
  { action: "stop", Icon: StopIcon, confirm: true },
  { action: "restart", Icon: RefreshIcon, confirm: true },
];

/** Start, stop or restart the selected sessions together (stop and restart ask first); a toast tells how it went. */
export function BulkActionsBar({ selected, onDone }: { selected: string[]; onDone: () => void }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [running, setRunning] = useState<TSessionAction | null>(null);
  const [confirming, setConfirming] = useState<TSessionAction | null>(null);

  async function run(action: TSessionAction) {
    setConfirming(null);
    setRunning(action);
    const failures = await runBulk(selected, (name) => runSessionAction(name, action));
    setRunning(null);
    void queryClient.invalidateQueries({ queryKey: queryKeys.sessions() });
    const ok = selected.length - failures.length;
    const verb = ACTION_LABELS[action].done;
    if (failures.length === 0) toast.success(`${ok} session${ok === 1 ? "" : "s"} ${verb}`);
    else
      toast.error(
        `${failures.length} of ${selected.length} could not be ${verb}`,
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
      className="mb-3 flex flex-wrap items-center gap-2 rounded-xl border border-emerald-200 bg-emerald-50/70 px-3 py-2 dark:border-emerald-900/60 dark:bg-emerald-950/30"
    >
      <span className="mr-auto text-sm font-medium text-emerald-900 dark:text-emerald-100" aria-live="polite">
        {selected.length} selected
      </span>
      {BULK.map(({ action, Icon, confirm }) => (
        <Button
          key={action}
          size="sm"
          variant="secondary"
          loading={running === action}
          disabled={running !== null}
          icon={<Icon className="size-3.5" />}
          onClick={() => (confirm ? setConfirming(action) : run(action))}
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
        title={confirming ? `${ACTION_LABELS[confirming].verb} ${selected.length} session${selected.length === 1 ? "" : "s"}?` : ""}
        description={
          confirming === "stop"
            ? "They disconnect from WhatsApp and stop receiving messages until started again. Their login is kept."
            : "Each one stops and starts again; messages arriving meanwhile are delivered after it reconnects."
        }
        confirmLabel={confirming ? ACTION_LABELS[confirming].verb : ""}
      >
        <p className="max-h-32 overflow-y-auto font-mono text-xs text-zinc-500">{selected.join(", ")}</p>
      </ConfirmDialog>
    </div>
  );
}
