"use client";

import type { ReactNode } from "react";
import { bodyFromDraft, type TFormMode } from "@/lib/dashboard-config-draft";
import type { TSessionConfig } from "@/lib/session-config";
import { ConfirmDialog } from "@/components/ui/dialog";
import { TabPanel, Tabs } from "@/components/ui/tabs";
import { EngineOptionsSection } from "./engine-options-section";
import { ErrorSummary } from "./error-summary";
import { FormActions } from "./form-actions";
import { GeneralSection } from "./general-section";
import { HiddenSecretsNotice } from "./hidden-secrets-notice";
import { IgnoreChatsSection } from "./ignore-chats-section";
import { LinkedDeviceSection } from "./linked-device-section";
import { MetadataSection } from "./metadata-section";
import { ProxySection } from "./proxy-section";
import { RawJsonTab } from "./raw-json-tab";
import { useSessionForm, type TSessionFormOptions } from "./use-session-form";
import { WebhooksSection } from "./webhooks-section";

/**
 * The whole SessionConfig as a form, with a raw JSON tab kept in sync. Validation uses the API's
 * own zod schemas; the API's 400 `details` land next to the same fields. `onSubmit` gets the exact
 * request body, typed by its schema: POST /api/sessions (create) or PUT /api/sessions/{name} (edit).
 */
export function SessionForm<M extends TFormMode>({
  submitLabel,
  onCancel,
  notice,
  ...options
}: TSessionFormOptions<M> & {
  /** Either fixed, or from the config as the form holds it now (the edit page: whether saving restarts). */
  submitLabel: string | ((config: TSessionConfig) => string);
  onCancel: () => void;
  notice?: ReactNode | ((config: TSessionConfig) => ReactNode);
}) {
  const { mode } = options;
  const { draft, fields, errors, formError, summaryRef, busy, dirty, leaveGuard, submit, tab, switchTab, json, hiddenSecrets, reveal } =
    useSessionForm(options);
  const current = () => ((bodyFromDraft(draft, mode) as { config?: TSessionConfig }).config ?? {}) as TSessionConfig;
  return (
    <form onSubmit={submit} noValidate aria-label={mode === "create" ? "New session" : "Edit session"}>
      <ErrorSummary ref={summaryRef} errors={errors} formError={formError} />
      {typeof notice === "function" ? notice(current()) : notice}
      {hiddenSecrets && <HiddenSecretsNotice revealing={reveal.running} error={reveal.error} onReveal={reveal.run} />}

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
          <GeneralSection mode={mode} fields={fields} />
          <MetadataSection fields={fields} />
          <WebhooksSection fields={fields} />
          <div className="grid gap-5 lg:grid-cols-2">
            <ProxySection fields={fields} />
            <LinkedDeviceSection fields={fields} />
          </div>
          <div className="grid gap-5 lg:grid-cols-2">
            <IgnoreChatsSection fields={fields} />
            <EngineOptionsSection fields={fields} />
          </div>
        </div>
      </TabPanel>

      <TabPanel idBase="config" value="json" active={tab === "json"}>
        <RawJsonTab
          title={mode === "create" ? "POST /api/sessions" : `PUT /api/sessions/${draft.name}`}
          text={json.text}
          error={json.error}
          onChange={json.change}
        />
      </TabPanel>

      <FormActions
        dirty={dirty}
        busy={busy}
        submitLabel={typeof submitLabel === "function" ? submitLabel(current()) : submitLabel}
        onCancel={() => leaveGuard.leaveWith(onCancel)}
      />
      <ConfirmDialog
        open={leaveGuard.asking}
        title="Leave without saving?"
        description="Your changes are not saved. Leaving this page discards them."
        confirmLabel="Leave without saving"
        cancelLabel="Stay"
        onCancel={leaveGuard.stay}
        onConfirm={leaveGuard.leave}
      />
    </form>
  );
}
