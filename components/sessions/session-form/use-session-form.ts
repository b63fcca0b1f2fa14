import { useRef, useState, type FormEvent } from "react";
import { isApiError } from "@/lib/api-client";
import { bodyFromDraft, draftFromBody, getAt, setAt, type TConfigDraft, type TFormMode, type TPath } from "@/lib/dashboard-config-draft";
import { checkDraft, fieldErrorsFromIssues, type TFieldErrors, type TSessionFormBody } from "@/lib/dashboard-config-validation";
import type { TSessionConfig } from "@/lib/session-config";
import { hasRedactedSecrets, keepRedactedSecrets } from "@/lib/session-secrets";
import type { TSecretsState } from "./secret-input";
import { useLeaveGuard } from "./use-leave-guard";

/**
 * The session form's state: the draft and its raw JSON text, kept in sync; validation with the API's
 * own zod schemas (after the first submit, on every edit); the API's 400 `details` put on the same
 * fields; revealing the stored secrets; and the question when leaving with unsaved edits (edits that
 * make the body what it was are no edits).
 */

export type TEditorTab = "form" | "json";

/** What each section reads and writes: the draft, its errors and secrets, and the config by path. */
export interface TFormFields {
  draft: TConfigDraft;
  errors: TFieldErrors;
  secrets: TSecretsState;
  /** Replaces the whole draft (name, start, metadata rows). */
  update: (next: TConfigDraft) => void;
  value: (path: TPath) => unknown;
  /** Sets the config field at `path`; `undefined` removes it. */
  set: (path: TPath, value: unknown) => void;
}

export interface TSessionFormOptions<M extends TFormMode> {
  mode: M;
  initial: TConfigDraft;
  /** Gets the request body the schema accepted. Resolves "cancelled" when the caller's own confirmation was declined (the edits stay unsaved). */
  onSubmit: (body: TSessionFormBody<M>) => Promise<void | "cancelled">;
  /** Edit form: fetches the stored config with its secrets in clear (the draft starts redacted). */
  onRevealSecrets?: () => Promise<TSessionConfig>;
}

export function useSessionForm<M extends TFormMode>({ mode, initial, onSubmit, onRevealSecrets }: TSessionFormOptions<M>) {
  const [draft, setDraft] = useState<TConfigDraft>(initial);
  const [tab, setTab] = useState<TEditorTab>("form");
  const [jsonText, setJsonText] = useState("");
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [errors, setErrors] = useState<TFieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  // The body as last loaded or saved: the form is dirty while its body differs.
  const [baseline, setBaseline] = useState<TConfigDraft>(initial);
  const summaryRef = useRef<HTMLDivElement>(null);
  const [revealed, setRevealed] = useState(false);
  const [revealing, setRevealing] = useState(false);
  const [revealError, setRevealError] = useState<string | null>(null);

  const toJson = (next: TConfigDraft) => JSON.stringify(bodyFromDraft(next, mode), null, 2);
  const errorsOf = (next: TConfigDraft): TFieldErrors => {
    const check = checkDraft(next, mode);
    return check.ok ? {} : check.errors;
  };
  const focusSummary = () => requestAnimationFrame(() => summaryRef.current?.focus());

  const dirty = (tab === "json" && jsonError !== null) || toJson(draft) !== toJson(baseline);
  const leaveGuard = useLeaveGuard(dirty);

  const update = (next: TConfigDraft) => {
    setDraft(next);
    if (submitted) setErrors(errorsOf(next));
  };

  // Each placeholder in the draft becomes the stored secret it stands for; other edits stay.
  const reveal = async () => {
    if (!onRevealSecrets) return;
    setRevealing(true);
    setRevealError(null);
    try {
      const stored = await onRevealSecrets();
      const next = { ...draft, config: keepRedactedSecrets(draft.config as TSessionConfig, stored) };
      setDraft(next);
      // Secrets in clear are not an edit.
      setBaseline((base) => ({ ...base, config: keepRedactedSecrets(base.config as TSessionConfig, stored) }));
      if (tab === "json") setJsonText(toJson(next));
      setRevealed(true);
    } catch (error) {
      setRevealError((error as Error).message);
    } finally {
      setRevealing(false);
    }
  };

  const fields: TFormFields = {
    draft,
    errors,
    secrets: { revealed, reveal: onRevealSecrets ? reveal : undefined },
    update,
    value: (path) => getAt(draft.config, path),
    set: (path, value) => update({ ...draft, config: setAt(draft.config, path, value) }),
  };

  const switchTab = (next: TEditorTab) => {
    if (next === tab) return;
    if (next === "json") {
      setJsonText(toJson(draft));
      setJsonError(null);
    } else if (jsonError) {
      return; // the form cannot show JSON that does not parse; the error says so
    }
    setTab(next);
  };

  const changeJson = (text: string) => {
    setJsonText(text);
    try {
      const next = draftFromBody(JSON.parse(text), mode, draft);
      setJsonError(null);
      setDraft(next);
      if (submitted) setErrors(errorsOf(next));
    } catch (error) {
      setJsonError(error instanceof SyntaxError ? `Not valid JSON: ${error.message}` : (error as Error).message);
    }
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setFormError(null);
    if (tab === "json" && jsonError) {
      setFormError("Fix the JSON before saving.");
      return;
    }
    const check = checkDraft(draft, mode);
    setErrors(check.ok ? {} : check.errors);
    if (!check.ok) {
      focusSummary();
      return;
    }
    setBusy(true);
    try {
      if ((await onSubmit(check.body)) !== "cancelled") setBaseline(draft);
    } catch (error) {
      if (isApiError(error) && error.details.length) {
        setErrors(fieldErrorsFromIssues(draft, error.details));
        setFormError(error.message);
      } else if (isApiError(error) && error.code === "session_exists") {
        setErrors({ name: "A session with this name already exists. Choose another name, or edit that session." });
      } else {
        setFormError(isApiError(error) ? error.message : "Saving failed unexpectedly. Check the server log.");
      }
      focusSummary();
    } finally {
      setBusy(false);
    }
  }

  return {
    draft,
    fields,
    errors,
    formError,
    summaryRef,
    busy,
    dirty,
    leaveGuard,
    submit,
    tab,
    switchTab,
    json: { text: jsonText, error: jsonError, change: changeJson },
    hiddenSecrets: onRevealSecrets !== undefined && hasRedactedSecrets(draft.config as TSessionConfig),
    reveal: { run: reveal, running: revealing, error: revealError },
  };
}
