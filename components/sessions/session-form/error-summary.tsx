import type { Ref } from "react";
import type { TFieldErrors } from "@/lib/dashboard-config-validation";
import { fieldLabel } from "@/lib/dashboard-field-labels";
import { Alert } from "@/components/ui/alert";
import { idFor } from "./field-ids";

/** Above the form: what keeps it from saving, each field error named in words and linking to its control (focused after a failed submit). */
export function ErrorSummary({ ref, errors, formError }: { ref: Ref<HTMLDivElement>; errors: TFieldErrors; formError: string | null }) {
  const errorList = Object.entries(errors);
  return (
    <div ref={ref} tabIndex={-1} className="outline-none">
      {(errorList.length > 0 || formError) && (
        <Alert
          tone="error"
          title={errorList.length ? `Fix ${errorList.length} field${errorList.length === 1 ? "" : "s"} before saving` : "Not saved"}
          className="mb-4"
        >
          {formError && errorList.length === 0 && <p>{formError}</p>}
          {errorList.length > 0 && (
            <ul className="mt-1 list-disc space-y-0.5 pl-4">
              {errorList.slice(0, 8).map(([path, message]) => (
                <li key={path}>
                  <a href={`#${idFor(path)}`} className="underline-offset-2 hover:underline">
                    <span className="font-medium">{fieldLabel(path)}</span>: {message}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </Alert>
      )}
    </div>
  );
}
