import type { z } from "zod";
import { bodyFromDraft, type TConfigDraft, type TFormMode, type TPath } from "./dashboard-config-draft";
import type { TFieldIssue } from "./errors";
import { ZSessionCreateRequestSchema, ZSessionUpdateRequestSchema } from "./session";

/**
 * Validation of the dashboard's session-config form, with the API's own zod schemas: the errors it
 * shows next to each field, and the typed request body it submits. Universal code, no React.
 */

const BODY_SCHEMAS = { create: ZSessionCreateRequestSchema, edit: ZSessionUpdateRequestSchema } as const;

/** What the form submits: the body of POST /api/sessions (create) or PUT /api/sessions/{name} (edit), as its schema accepts it. */
export type TSessionFormBody<M extends TFormMode> = z.input<(typeof BODY_SCHEMAS)[M]>;

/** Error messages by field: `name`, `metadata.<row>.key`, `metadata.<row>.value`, `metadata`, `config.<path>`. */
export type TFieldErrors = Record<string, string>;

export type TDraftCheck<M extends TFormMode> = { ok: true; body: TSessionFormBody<M> } | { ok: false; errors: TFieldErrors };

/** The error key of the config field at `path` (the path of the schema's issue, under `config`). */
export const configFieldKey = (path: TPath) => `config.${path.join(".")}`;

/** The draft's request body if the schema accepts it, else the errors by field. */
export function checkDraft<M extends TFormMode>(draft: TConfigDraft, mode: M): TDraftCheck<M> {
  const errors = metadataKeyErrors(draft);
  const body = bodyFromDraft(draft, mode);
  const parsed = BODY_SCHEMAS[mode].safeParse(body);
  if (!parsed.success) {
    fieldErrorsFromIssues(
      draft,
      parsed.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message })),
      errors,
    );
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  // The schema accepted the body, so it is of the schema's input type. It is sent as written, not as
  // the parsed output: the request is exactly what the Raw JSON tab shows, and a key the schema does
  // not know reaches the API, which drops it or (strict mode) refuses it as for any other client.
  return { ok: true, body: body as TSessionFormBody<M> };
}

/**
 * Put API or schema issues on the form fields they name (into `errors`, which is returned).
 * Metadata keys map to their row; the items of a webhook's events to its events list.
 */
export function fieldErrorsFromIssues(draft: TConfigDraft, issues: readonly TFieldIssue[], errors: TFieldErrors = {}): TFieldErrors {
  for (const issue of issues) {
    const field = issue.field.replace(/^body\.?/, "");
    const metadata = /^config\.metadata\.(.+)$/.exec(field);
    if (metadata) {
      const index = draft.metadata.findIndex((row) => row.key === metadata[1]);
      errors[index >= 0 ? `metadata.${index}.value` : "metadata"] = issue.message;
      continue;
    }
    const events = /^(config\.webhooks\.\d+\.events)\.\d+$/.exec(field);
    const key = events ? events[1] : field || "config";
    errors[key] ??= issue.message;
  }
  return errors;
}

/** A metadata row needs a key once it has a value, and a key is used once. */
function metadataKeyErrors(draft: TConfigDraft): TFieldErrors {
  const errors: TFieldErrors = {};
  const seen = new Set<string>();
  draft.metadata.forEach((row, i) => {
    if (row.key === "" && row.value !== "") errors[`metadata.${i}.key`] = "A key is required";
    else if (row.key !== "" && seen.has(row.key)) errors[`metadata.${i}.key`] = "This key is used twice";
    seen.add(row.key);
  });
  return errors;
}
