import { isApiError } from "@/lib/api-client";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { RefreshIcon } from "@/components/ui/icons";

/** What went wrong loading the list, for the operator: the API's message and status, or where to look. */
export function loadErrorText(error: unknown): string {
  if (isApiError(error)) return error.status === 0 ? error.message : `${error.message} (HTTP ${error.status})`;
  return "Unexpected error. Reload the page; if it persists, check the server log.";
}

/** The list could not be loaded and there is nothing to show: the reason, and "Try again". */
export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <div className="p-4 sm:p-6">
      <Alert
        tone="error"
        title="Sessions could not be loaded"
        actions={
          <Button size="sm" variant="secondary" icon={<RefreshIcon className="size-4" />} onClick={onRetry}>
            Try again
          </Button>
        }
      >
        {loadErrorText(error)}
      </Alert>
    </div>
  );
}
