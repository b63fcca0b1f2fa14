import { SECRET_PLACEHOLDER } from "@/lib/session-secrets";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

/** Says that the stored secrets are hidden and that saving keeps them, with the button that reveals them. */
export function HiddenSecretsNotice({ revealing, error, onReveal }: { revealing: boolean; error: string | null; onReveal: () => void }) {
  return (
    <Alert
      tone={error ? "error" : "info"}
      title={error ? "The secrets could not be revealed" : "Secrets are hidden"}
      className="mb-4"
      actions={
        <Button size="sm" variant="secondary" loading={revealing} onClick={onReveal}>
          Reveal secrets
        </Button>
      }
    >
      {error ?? (
        <>
          HMAC keys, custom header values and the proxy password read <code className="font-mono">{SECRET_PLACEHOLDER}</code>. Saving keeps
          them as stored; reveal them to see or change them.
        </>
      )}
    </Alert>
  );
}
