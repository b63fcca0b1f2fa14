import { useState, type InputHTMLAttributes } from "react";
import { SECRET_PLACEHOLDER } from "@/lib/session-secrets";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/field";
import { EyeIcon, EyeOffIcon } from "@/components/ui/icons";

/**
 * Secrets in the session form (HMAC keys, custom header values, the proxy password). The API sends
 * them redacted; saving the placeholder back keeps the stored value, so the form works without them.
 */

/** The edit form can fetch the stored secrets (`reveal`); once `revealed`, they are shown in clear. */
export type TSecretsState = { revealed: boolean; reveal?: () => void };

type TSecretInputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "type" | "value"> & {
  label: string;
  value: string;
  secrets: TSecretsState;
  invalid?: boolean;
};

/** A masked input for one secret; its eye button shows it, or reveals the stored secrets while it is still the placeholder. */
export function SecretInput({ label, value, secrets, invalid, className, ...props }: TSecretInputProps) {
  const [shown, setShown] = useState<boolean | null>(null);
  const stored = value === SECRET_PLACEHOLDER;
  const visible = !stored && (shown ?? secrets.revealed);
  const toggle = () => (stored && secrets.reveal ? secrets.reveal() : setShown(!visible));
  return (
    <div className="relative">
      <Input
        type={visible ? "text" : "password"}
        value={value}
        autoComplete="new-password"
        spellCheck={false}
        className={cn("pr-10 font-mono text-[13px]", className)}
        invalid={invalid}
        {...props}
      />
      <button
        type="button"
        onClick={toggle}
        aria-label={visible ? `Hide ${label}` : `Show ${label}`}
        aria-pressed={visible}
        className="absolute inset-y-0 right-0 grid w-10 place-items-center text-zinc-400 hover:text-zinc-700 dark:hover:text-zinc-200"
      >
        {visible ? <EyeOffIcon className="size-4" /> : <EyeIcon className="size-4" />}
      </button>
    </div>
  );
}
