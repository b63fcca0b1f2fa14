"use client";

import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { TFieldIssue } from "@/lib/errors";
import { EVENT_NAMES } from "@/lib/event-names";
import { isApiError } from "@/lib/api-client";
import {
  bodyFromDraft,
  draftFromBody,
  getAt,
  newRowId,
  setAt,
  type TConfigDraft,
  type TPath,
} from "@/lib/dashboard-config-draft";
import { SESSION_NAME_MAX, ZSessionCreateRequestSchema, ZSessionUpdateRequestSchema } from "@/lib/session";
import { RETRY_POLICIES, type TSessionConfig } from "@/lib/session-config";
import { hasRedactedSecrets, keepRedactedSecrets } from "@/lib/session-secrets";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Checkbox, Field, FieldError, Input, Select, Switch, Textarea, describedBy } from "@/components/ui/field";
import { PlusIcon, TrashIcon } from "@/components/ui/icons";
import { TabPanel, Tabs } from "@/components/ui/tabs";
import { HiddenSecretsNotice, SecretInput, type TSecretsState } from "./secrets";

/**
 * The whole SessionConfig as a form, with a raw JSON tab kept in sync. Validation uses the API's
 * own zod schemas; the API's 400 `details` land next to the same fields. `onSubmit` gets the exact
 * request body (POST /api/sessions or PUT /api/sessions/{name}).
 */

export type TFormMode = "create" | "edit";
type TErrors = Record<string, string>;

const idFor = (path: string) => `f-${path.replace(/[^a-zA-Z0-9]+/g, "-")}`;

export function SessionForm({
  mode,
  initial,
  onSubmit,
  submitLabel,
  onCancel,
  notice,
  onRevealSecrets,
}: {
  mode: TFormMode;
  initial: TConfigDraft;
  /** Resolves "cancelled" when the caller's own confirmation was declined (the edits stay unsaved). */
  onSubmit: (body: Record<string, unknown>) => Promise<void | "cancelled">;
  submitLabel: string;
  onCancel: () => void;
  notice?: ReactNode;
  /** Edit form: fetches the stored config with its secrets in clear (the draft starts redacted). */
  onRevealSecrets?: () => Promise<TSessionConfig>;
}) {
  const [draft, setDraft] = useState<TConfigDraft>(initial);
  const [tab, setTab] = useState<"form" | "json">("form");
  const [jsonText, setJsonText] = useState("");
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [errors, setErrors] = useState<TErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const [revealed, setRevealed] = useState(false);
  const [revealing, setRevealing] = useState(false);
  const [revealError, setRevealError] = useState<string | null>(null);

  const body = useMemo(() => bodyFromDraft(draft, mode), [draft, mode]);

  // Leaving with unsaved edits asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const validate = (next: TConfigDraft): TErrors => {
    const result: TErrors = {};
    const seen = new Set<string>();
    next.metadata.forEach((row, i) => {
      if (row.key === "" && row.value !== "") result[`metadata.${i}.key`] = "A key is required";
      else if (row.key !== "" && seen.has(row.key)) result[`metadata.${i}.key`] = "This key is used twice";
      seen.add(row.key);
    });
    const candidate = bodyFromDraft(next, mode);
    const parsed = mode === "create" ? ZSessionCreateRequestSchema.safeParse(candidate) : ZSessionUpdateRequestSchema.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) addIssue(result, next, { field: issue.path.join("."), message: issue.message });
    }
    return result;
  };

  const update = (next: TConfigDraft) => {
    setDraft(next);
    setDirty(true);
    if (submitted) setErrors(validate(next));
  };
  const set = (path: TPath, value: unknown) => update({ ...draft, config: setAt(draft.config, path, value) });
  const value = (path: TPath) => getAt(draft.config, path);
  const err = (path: string) => errors[path];

  // Each placeholder in the draft becomes the stored secret it stands for; other edits stay.
  const reveal = async () => {
    if (!onRevealSecrets) return;
    setRevealing(true);
    setRevealError(null);
    try {
      const stored = await onRevealSecrets();
      const next = { ...draft, config: keepRedactedSecrets(draft.config as TSessionConfig, stored) };
      setDraft(next);
      if (tab === "json") setJsonText(JSON.stringify(bodyFromDraft(next, mode), null, 2));
      setRevealed(true);
    } catch (error) {
      setRevealError((error as Error).message);
    } finally {
      setRevealing(false);
    }
  };

  const secrets: TSecretsState = { revealed, reveal: onRevealSecrets ? reveal : undefined };

  const switchTab = (next: "form" | "json") => {
    if (next === tab) return;
    if (next === "json") {
      setJsonText(JSON.stringify(body, null, 2));
      setJsonError(null);
    } else if (jsonError) {
      return; // the form cannot show JSON that does not parse; the error says so
    }
    setTab(next);
  };

  const onJsonChange = (text: string) => {
    setJsonText(text);
    setDirty(true);
    try {
      const next = draftFromBody(JSON.parse(text), mode, draft);
      setJsonError(null);
      setDraft(next);
      if (submitted) setErrors(validate(next));
    } catch (error) {
      setJsonError(error instanceof SyntaxError ? `Not valid JSON: ${error.message}` : (error as Error).message);
    }
  };

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setFormError(null);
    if (tab === "json" && jsonError) {
      setFormError("Fix the JSON before saving.");
      return;
    }
    const found = validate(draft);
    setErrors(found);
    if (Object.keys(found).length) {
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    setBusy(true);
    try {
      if ((await onSubmit(body)) !== "cancelled") setDirty(false);
    } catch (error) {
      if (isApiError(error) && error.details.length) {
        const mapped: TErrors = {};
        error.details.forEach((issue) => addIssue(mapped, draft, issue));
        setErrors(mapped);
        setFormError(error.message);
      } else if (isApiError(error) && error.code === "session_exists") {
        setErrors({ name: error.message });
      } else {
        setFormError(isApiError(error) ? error.message : "Saving failed unexpectedly. Check the server log.");
      }
      requestAnimationFrame(() => summaryRef.current?.focus());
    } finally {
      setBusy(false);
    }
  }

  const errorList = Object.entries(errors);
  const webhooks = (value(["webhooks"]) as unknown[] | undefined) ?? [];

  return (
    <form onSubmit={submit} noValidate aria-label={mode === "create" ? "New session" : "Edit session"}>
      <div ref={summaryRef} tabIndex={-1} className="outline-none">
        {(errorList.length > 0 || formError) && (
          <Alert tone="error" title={errorList.length ? `Fix ${errorList.length} field${errorList.length === 1 ? "" : "s"} before saving` : "Not saved"} className="mb-4">
            {formError && errorList.length === 0 && <p>{formError}</p>}
            {errorList.length > 0 && (
              <ul className="mt-1 list-disc space-y-0.5 pl-4">
                {errorList.slice(0, 8).map(([path, message]) => (
                  <li key={path}>
                    <a href={`#${idFor(path)}`} className="underline-offset-2 hover:underline">
                      <code className="font-mono text-xs">{path}</code>: {message}
                    </a>
                  </li>
                ))}
              </ul>
            )}
          </Alert>
        )}
      </div>
      {notice}
      {onRevealSecrets && hasRedactedSecrets(draft.config as TSessionConfig) && (
        <HiddenSecretsNotice revealing={revealing} error={revealError} onReveal={reveal} />
      )}

      <Tabs
        idBase="config"
        label="Editor"
        value={tab}
        onChange={switchTab}
        items={[
          { value: "form", label: "Form" },
          { value: "json", label: "Raw JSON" },
        ]}
        className="mb-5"
      />

      <TabPanel idBase="config" value="form" active={tab === "form"}>
        <div className="grid gap-5">
          <Card>
            <CardHeader title="General" description={mode === "create" ? "The name is the session's id in every API call." : undefined} />
            <CardBody className="grid gap-5 sm:grid-cols-2">
              {mode === "create" ? (
                <Field id={idFor("name")} label="Name" optional hint={`Letters, digits, _ and -, up to ${SESSION_NAME_MAX}. Empty: one is generated.`} error={err("name")}>
                  <Input
                    id={idFor("name")}
                    value={draft.name}
                    onChange={(e) => update({ ...draft, name: e.target.value })}
                    placeholder="default"
                    autoComplete="off"
                    spellCheck={false}
                    className="font-mono"
                    invalid={!!err("name")}
                    {...describedBy(idFor("name"), err("name"), true)}
                  />
                </Field>
              ) : (
                <div>
                  <p className="mb-1.5 text-[13px] font-medium text-zinc-800 dark:text-zinc-200">Name</p>
                  <p className="flex h-9 items-center font-mono text-sm text-zinc-700 dark:text-zinc-300">{draft.name}</p>
                </div>
              )}
              <div className="grid content-start gap-4 sm:pt-6">
                {mode === "create" && (
                  <Switch id={idFor("start")} checked={draft.start} onChange={(start) => update({ ...draft, start })} label="Start now" description="Launch the browser right away and show the QR code." />
                )}
                <Switch id={idFor("config.debug")} checked={value(["debug"]) === true} onChange={(on) => set(["debug"], on || undefined)} label="Debug logs" description="Debug-level logging for this session." />
              </div>
            </CardBody>
          </Card>

          <MetadataEditor draft={draft} errors={errors} onChange={update} />

          <Card>
            <CardHeader
              title="Webhooks"
              description="Where this session's events are POSTed. Changes apply when the session (re)starts."
              actions={
                <Button size="sm" variant="secondary" icon={<PlusIcon className="size-4" />} onClick={() => set(["webhooks", webhooks.length], { url: "", events: ["message", "session.status"] })}>
                  Add webhook
                </Button>
              }
            />
            <CardBody className="grid gap-4">
              {webhooks.length === 0 && <p className="text-sm text-zinc-500 dark:text-zinc-400">No webhooks. Events are still pushed to the dashboard and to the global webhook, if one is configured.</p>}
              {webhooks.map((_, index) => (
                <WebhookEditor key={index} index={index} value={value} set={set} errors={errors} secrets={secrets} onRemove={() => set(["webhooks"], webhooks.filter((__, i) => i !== index))} />
              ))}
            </CardBody>
          </Card>

          <div className="grid gap-5 lg:grid-cols-2">
            <Card>
              <CardHeader title="Proxy" description="Overrides the server-wide proxy for this session." />
              <CardBody className="grid gap-4">
                <TextField path={["proxy", "server"]} label="Server" placeholder="proxy.example.com:3128" hint="host:port; socks5:// is allowed" value={value} set={set} errors={errors} mono />
                <div className="grid gap-4 sm:grid-cols-2">
                  <TextField path={["proxy", "username"]} label="Username" value={value} set={set} errors={errors} optional />
                  <SecretField path={["proxy", "password"]} label="Password" value={value} set={set} errors={errors} secrets={secrets} />
                </div>
              </CardBody>
            </Card>

            <Card>
              <CardHeader title="Linked device" description="How the session appears in the phone's Linked devices." />
              <CardBody className="grid gap-4 sm:grid-cols-2">
                <TextField path={["client", "deviceName"]} label="Device name" placeholder="Server default" value={value} set={set} errors={errors} optional />
                <TextField path={["client", "browserName"]} label="Browser name" placeholder="Server default" value={value} set={set} errors={errors} optional />
              </CardBody>
            </Card>
          </div>

          <div className="grid gap-5 lg:grid-cols-2">
            <Card>
              <CardHeader title="Ignore chats" description="Events from these chats are not emitted. Default follows WAHA_SESSION_CONFIG_IGNORE_*." />
              <CardBody className="grid gap-4 sm:grid-cols-2">
                <TriState path={["ignore", "status"]} label="Status updates" value={value} set={set} yes="Ignore" no="Receive" />
                <TriState path={["ignore", "groups"]} label="Groups" value={value} set={set} yes="Ignore" no="Receive" />
                <TriState path={["ignore", "channels"]} label="Channels" value={value} set={set} yes="Ignore" no="Receive" />
                <TriState path={["ignore", "broadcast"]} label="Broadcast lists" value={value} set={set} yes="Ignore" no="Receive" />
              </CardBody>
            </Card>

            <Card>
              <CardHeader title="Engine options" description="WEBJS is the engine Switchboard runs; NOWEB options are kept for WAHA compatibility." />
              <CardBody className="grid gap-4 sm:grid-cols-2">
                <TriState path={["webjs", "tagsEventsOn"]} label="WEBJS: tag events" hint="Needed for presence.update and group message.ack" value={value} set={set} />
                <TriState path={["noweb", "markOnline"]} label="NOWEB: mark online" value={value} set={set} />
                <TriState path={["noweb", "store", "enabled"]} label="NOWEB: store" value={value} set={set} />
                <TriState path={["noweb", "store", "fullSync"]} label="NOWEB: full sync" value={value} set={set} />
              </CardBody>
            </Card>
          </div>
        </div>
      </TabPanel>

      <TabPanel idBase="config" value="json" active={tab === "json"}>
        <Card>
          <CardHeader
            title={mode === "create" ? "POST /api/sessions" : `PUT /api/sessions/${draft.name}`}
            description="The exact request body. Edits here update the form; fields the form does not show are kept."
          />
          <CardBody>
            <label htmlFor="config-json" className="sr-only">
              Request body as JSON
            </label>
            <Textarea
              id="config-json"
              value={jsonText}
              onChange={(e) => onJsonChange(e.target.value)}
              spellCheck={false}
              rows={Math.min(32, Math.max(12, jsonText.split("\n").length + 1))}
              className="font-mono text-[13px] leading-relaxed"
              invalid={!!jsonError}
              aria-invalid={jsonError ? true : undefined}
              aria-describedby={jsonError ? "config-json-error" : undefined}
            />
            <FieldError id="config-json-error" message={jsonError ?? undefined} />
          </CardBody>
        </Card>
      </TabPanel>

      <div className="sticky bottom-0 z-10 -mx-4 mt-6 flex items-center justify-end gap-2 border-t border-zinc-200 bg-zinc-50/90 px-4 py-3 backdrop-blur sm:mx-0 sm:rounded-xl sm:border dark:border-zinc-800 dark:bg-zinc-950/90">
        {dirty && <span className="mr-auto text-xs text-zinc-500">Unsaved changes</span>}
        <Button variant="ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" loading={busy}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

/** Put an API or schema issue on the form field it names. Metadata keys map to their row. */
function addIssue(errors: TErrors, draft: TConfigDraft, issue: TFieldIssue): void {
  const field = issue.field.replace(/^body\.?/, "");
  const metadata = /^config\.metadata\.(.+)$/.exec(field);
  if (metadata) {
    const index = draft.metadata.findIndex((row) => row.key === metadata[1]);
    errors[index >= 0 ? `metadata.${index}.value` : "metadata"] = issue.message;
    return;
  }
  const events = /^(config\.webhooks\.\d+\.events)\.\d+$/.exec(field);
  const key = events ? events[1] : field || "config";
  errors[key] ??= issue.message;
}

type ValueFn = (path: TPath) => unknown;
type SetFn = (path: TPath, value: unknown) => void;
const pathKey = (path: TPath) => `config.${path.join(".")}`;

function TextField({
  path,
  label,
  value,
  set,
  errors,
  placeholder,
  hint,
  optional,
  mono,
  type = "text",
}: {
  path: TPath;
  label: string;
  value: ValueFn;
  set: SetFn;
  errors: TErrors;
  placeholder?: string;
  hint?: string;
  optional?: boolean;
  mono?: boolean;
  type?: string;
}) {
  const key = pathKey(path);
  const id = idFor(key);
  const current = value(path);
  return (
    <Field id={id} label={label} hint={hint} error={errors[key]} optional={optional}>
      <Input
        id={id}
        type={type}
        value={typeof current === "string" ? current : current == null ? "" : String(current)}
        onChange={(e) => set(path, e.target.value === "" ? undefined : e.target.value)}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        className={mono ? "font-mono text-[13px]" : undefined}
        invalid={!!errors[key]}
        {...describedBy(id, errors[key], !!hint)}
      />
    </Field>
  );
}

function SecretField({ path, label, value, set, errors, hint, secrets }: { path: TPath; label: string; value: ValueFn; set: SetFn; errors: TErrors; hint?: string; secrets: TSecretsState }) {
  const key = pathKey(path);
  const id = idFor(key);
  const current = value(path);
  return (
    <Field id={id} label={label} hint={hint} error={errors[key]} optional>
      <SecretInput
        id={id}
        label={label}
        secrets={secrets}
        value={typeof current === "string" ? current : ""}
        onChange={(e) => set(path, e.target.value === "" ? undefined : e.target.value)}
        invalid={!!errors[key]}
        {...describedBy(id, errors[key], !!hint)}
      />
    </Field>
  );
}

function NumberField({ path, label, value, set, errors, hint, min, step }: { path: TPath; label: string; value: ValueFn; set: SetFn; errors: TErrors; hint?: string; min?: number; step?: number }) {
  const key = pathKey(path);
  const id = idFor(key);
  const current = value(path);
  return (
    <Field id={id} label={label} hint={hint} error={errors[key]}>
      <Input
        id={id}
        type="number"
        inputMode="decimal"
        min={min}
        step={step}
        value={typeof current === "number" && !Number.isNaN(current) ? current : ""}
        onChange={(e) => set(path, e.target.value === "" ? undefined : Number(e.target.value))}
        className="tabular-nums"
        invalid={!!errors[key]}
        {...describedBy(id, errors[key], !!hint)}
      />
    </Field>
  );
}

/** A boolean whose absence means "the server's default": Default / Yes / No. */
function TriState({ path, label, value, set, hint, yes = "On", no = "Off" }: { path: TPath; label: string; value: ValueFn; set: SetFn; hint?: string; yes?: string; no?: string }) {
  const id = idFor(pathKey(path));
  const current = value(path);
  return (
    <Field id={id} label={label} hint={hint}>
      <Select id={id} value={current === true ? "true" : current === false ? "false" : ""} onChange={(e) => set(path, e.target.value === "" ? undefined : e.target.value === "true")}>
        <option value="">Default</option>
        <option value="true">{yes}</option>
        <option value="false">{no}</option>
      </Select>
    </Field>
  );
}

function MetadataEditor({ draft, errors, onChange }: { draft: TConfigDraft; errors: TErrors; onChange: (draft: TConfigDraft) => void }) {
  const rows = draft.metadata;
  const setRow = (index: number, patch: Partial<{ key: string; value: string }>) =>
    onChange({ ...draft, metadata: rows.map((row, i) => (i === index ? { ...row, ...patch } : row)) });
  return (
    <Card>
      <CardHeader
        title="Metadata"
        description={
          <>
            Your own key/value pairs: echoed in every event and searchable on the sessions page as <code className="font-mono">key=value</code>.
          </>
        }
        actions={
          <Button size="sm" variant="secondary" icon={<PlusIcon className="size-4" />} onClick={() => onChange({ ...draft, metadata: [...rows, { id: newRowId(), key: "", value: "" }] })}>
            Add pair
          </Button>
        }
      />
      <CardBody>
        {errors.metadata && <FieldError message={errors.metadata} />}
        {rows.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">No metadata. Add pairs such as <code className="font-mono">tenant=acme</code> to find this session later.</p>
        ) : (
          <ul className="grid gap-2" aria-label="Metadata pairs">
            {rows.map((row, index) => {
              const keyError = errors[`metadata.${index}.key`];
              const valueError = errors[`metadata.${index}.value`];
              return (
                <li key={row.id} className="grid grid-cols-[1fr_1fr_auto] items-start gap-2">
                  <div>
                    <label htmlFor={idFor(`metadata.${index}.key`)} className="sr-only">
                      Key {index + 1}
                    </label>
                    <Input
                      id={idFor(`metadata.${index}.key`)}
                      placeholder="key"
                      value={row.key}
                      onChange={(e) => setRow(index, { key: e.target.value })}
                      className="font-mono text-[13px]"
                      spellCheck={false}
                      invalid={!!keyError}
                      {...describedBy(idFor(`metadata.${index}.key`), keyError)}
                    />
                    <FieldError id={`${idFor(`metadata.${index}.key`)}-error`} message={keyError} />
                  </div>
                  <div>
                    <label htmlFor={idFor(`metadata.${index}.value`)} className="sr-only">
                      Value {index + 1}
                    </label>
                    <Input
                      id={idFor(`metadata.${index}.value`)}
                      placeholder="value"
                      value={row.value}
                      onChange={(e) => setRow(index, { value: e.target.value })}
                      className="font-mono text-[13px]"
                      spellCheck={false}
                      invalid={!!valueError}
                      {...describedBy(idFor(`metadata.${index}.value`), valueError)}
                    />
                    <FieldError id={`${idFor(`metadata.${index}.value`)}-error`} message={valueError} />
                  </div>
                  <Button
                    size="icon"
                    variant="ghost"
                    aria-label={`Remove ${row.key || `pair ${index + 1}`}`}
                    icon={<TrashIcon className="size-4" />}
                    onClick={() => onChange({ ...draft, metadata: rows.filter((_, i) => i !== index) })}
                  />
                </li>
              );
            })}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}

function WebhookEditor({ index, value, set, errors, secrets, onRemove }: { index: number; value: ValueFn; set: SetFn; errors: TErrors; secrets: TSecretsState; onRemove: () => void }) {
  const base: TPath = ["webhooks", index];
  const events = (value([...base, "events"]) as string[] | undefined) ?? [];
  const headers = (value([...base, "customHeaders"]) as { name: string; value: string }[] | undefined) ?? [];
  const eventsKey = pathKey([...base, "events"]);
  const all = events.includes("*");
  const toggleEvent = (name: string) => set([...base, "events"], events.includes(name) ? events.filter((e) => e !== name) : [...events, name]);
  const webhookError = errors[pathKey(base)];

  return (
    <fieldset className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800" data-testid="webhook-editor">
      <legend className="px-1 text-[13px] font-semibold text-zinc-800 dark:text-zinc-200">Webhook {index + 1}</legend>
      <div className="grid gap-4">
        <div className="flex items-start gap-2">
          <div className="flex-1">
            <TextField path={[...base, "url"]} label="URL" placeholder="https://example.com/whatsapp/events" value={value} set={set} errors={errors} mono type="url" />
          </div>
          <Button size="icon" variant="ghost" className="mt-6" aria-label={`Remove webhook ${index + 1}`} icon={<TrashIcon className="size-4" />} onClick={onRemove} />
        </div>
        {webhookError && <FieldError message={webhookError} />}

        <fieldset aria-describedby={errors[eventsKey] ? `${idFor(eventsKey)}-error` : undefined}>
          <legend id={idFor(eventsKey)} className="mb-2 text-[13px] font-medium text-zinc-800 dark:text-zinc-200">
            Events <span className="font-normal text-zinc-500">({all ? "all" : events.length} selected)</span>
          </legend>
          <label className="mb-2 flex items-center gap-2 text-[13px]">
            <Checkbox checked={all} onChange={() => toggleEvent("*")} />
            <span>
              <code className="font-mono">*</code> all events <span className="text-zinc-500">(except engine.event and state.change, which must be picked by name)</span>
            </span>
          </label>
          <div className="grid max-h-56 grid-cols-1 gap-x-4 gap-y-1.5 overflow-y-auto rounded-md border border-zinc-100 p-2.5 sm:grid-cols-2 lg:grid-cols-3 dark:border-zinc-800">
            {EVENT_NAMES.map((name) => {
              const covered = all && name !== "engine.event" && name !== "state.change";
              return (
                <label key={name} className={cn("flex items-center gap-2 text-[13px]", covered && "text-zinc-400 dark:text-zinc-500")}>
                  <Checkbox checked={events.includes(name) || covered} disabled={covered} onChange={() => toggleEvent(name)} />
                  <code className="font-mono text-[12px]">{name}</code>
                </label>
              );
            })}
          </div>
          <FieldError id={`${idFor(eventsKey)}-error`} message={errors[eventsKey]} />
        </fieldset>

        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <SecretField path={[...base, "hmac", "key"]} label="HMAC key" hint="Signs the body (X-Webhook-Hmac, SHA-512)" value={value} set={set} errors={errors} secrets={secrets} />
          <Field id={idFor(pathKey([...base, "retries", "policy"]))} label="Retry policy" error={errors[pathKey([...base, "retries", "policy"])]}>
            <Select
              id={idFor(pathKey([...base, "retries", "policy"]))}
              value={(value([...base, "retries", "policy"]) as string | undefined) ?? ""}
              onChange={(e) => set([...base, "retries", "policy"], e.target.value || undefined)}
            >
              <option value="">Default (constant)</option>
              {RETRY_POLICIES.map((policy) => (
                <option key={policy} value={policy}>
                  {policy}
                </option>
              ))}
            </Select>
          </Field>
          <NumberField path={[...base, "retries", "delaySeconds"]} label="Retry delay (s)" hint="Default 2" min={0} step={0.5} value={value} set={set} errors={errors} />
          <NumberField path={[...base, "retries", "attempts"]} label="Retries" hint="Default 15" min={0} step={1} value={value} set={set} errors={errors} />
        </div>

        <div>
          <div className="mb-2 flex items-center justify-between">
            <p className="text-[13px] font-medium text-zinc-800 dark:text-zinc-200">Custom headers</p>
            <Button size="sm" variant="ghost" icon={<PlusIcon className="size-4" />} onClick={() => set([...base, "customHeaders", headers.length], { name: "", value: "" })}>
              Add header
            </Button>
          </div>
          {headers.length === 0 ? (
            <p className="text-xs text-zinc-500 dark:text-zinc-400">None. Add one for a receiver that expects e.g. an Authorization header.</p>
          ) : (
            <ul className="grid gap-2">
              {headers.map((header, h) => {
                const nameKey = pathKey([...base, "customHeaders", h, "name"]);
                const valueKey = pathKey([...base, "customHeaders", h, "value"]);
                return (
                  <li key={h} className="grid grid-cols-[1fr_1.4fr_auto] items-start gap-2">
                    <div>
                      <label htmlFor={idFor(nameKey)} className="sr-only">
                        Header {h + 1} name
                      </label>
                      <Input id={idFor(nameKey)} placeholder="X-Header" value={header.name} onChange={(e) => set([...base, "customHeaders", h, "name"], e.target.value)} className="font-mono text-[13px]" invalid={!!errors[nameKey]} {...describedBy(idFor(nameKey), errors[nameKey])} />
                      <FieldError id={`${idFor(nameKey)}-error`} message={errors[nameKey]} />
                    </div>
                    <div>
                      <label htmlFor={idFor(valueKey)} className="sr-only">
                        Header {h + 1} value
                      </label>
                      <SecretInput id={idFor(valueKey)} label={`Header ${h + 1} value`} secrets={secrets} placeholder="value" value={header.value} onChange={(e) => set([...base, "customHeaders", h, "value"], e.target.value)} invalid={!!errors[valueKey]} {...describedBy(idFor(valueKey), errors[valueKey])} />
                      <FieldError id={`${idFor(valueKey)}-error`} message={errors[valueKey]} />
                    </div>
                    <Button size="icon" variant="ghost" aria-label={`Remove header ${header.name || h + 1}`} icon={<TrashIcon className="size-4" />} onClick={() => set([...base, "customHeaders"], headers.filter((_, i) => i !== h))} />
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      </div>
    </fieldset>
  );
}
