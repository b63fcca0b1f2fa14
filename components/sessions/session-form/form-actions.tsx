import { Button } from "@/components/ui/button";

/** The bar that sticks to the bottom of the form: the unsaved-changes hint, Cancel and the submit button. */
export function FormActions({
  dirty,
  busy,
  submitLabel,
  onCancel,
}: {
  dirty: boolean;
  busy: boolean;
  submitLabel: string;
  onCancel: () => void;
}) {
  return (
    <div className="sticky bottom-0 z-10 -mx-4 mt-6 flex items-center justify-end gap-2 border-t border-zinc-200 bg-zinc-50/90 px-4 py-3 backdrop-blur sm:mx-0 sm:rounded-xl sm:border dark:border-zinc-800 dark:bg-zinc-950/90">
      {dirty && <span className="mr-auto text-xs text-zinc-500">Unsaved changes</span>}
      <Button variant="ghost" onClick={onCancel} disabled={busy}>
        Cancel
      </Button>
      <Button type="submit" variant="primary" loading={busy}>
        {submitLabel}
      </Button>
    </div>
  );
}
