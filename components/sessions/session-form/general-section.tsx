import type { TFormMode } from "@/lib/dashboard-config-draft";
import { SESSION_NAME_MAX } from "@/lib/session";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field, Input, Switch, describedBy } from "@/components/ui/field";
import { configFieldId, idFor } from "./field-ids";
import type { TFormFields } from "./use-session-form";

/** The name (editable only when creating), "Start now" (creating) and debug logs. */
export function GeneralSection({ mode, fields }: { mode: TFormMode; fields: TFormFields }) {
  const { draft, errors, update } = fields;
  return (
    <Card>
      <CardHeader title="General" description={mode === "create" ? "The name is the session's id in every API call." : undefined} />
      <CardBody className="grid gap-5 sm:grid-cols-2">
        {mode === "create" ? (
          <Field
            id={idFor("name")}
            label="Name"
            optional
            hint={`Letters, digits, _ and -, up to ${SESSION_NAME_MAX}. Empty: one is generated.`}
            error={errors.name}
          >
            <Input
              id={idFor("name")}
              value={draft.name}
              onChange={(e) => update({ ...draft, name: e.target.value })}
              placeholder="default"
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
              invalid={!!errors.name}
              {...describedBy(idFor("name"), errors.name, true)}
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
            <Switch
              id={idFor("start")}
              checked={draft.start}
              onChange={(start) => update({ ...draft, start })}
              label="Start now"
              description="Launch the browser right away and show the QR code."
            />
          )}
          <Switch
            id={configFieldId(["debug"])}
            checked={fields.value(["debug"]) === true}
            onChange={(on) => fields.set(["debug"], on || undefined)}
            label="Debug logs"
            description="Debug-level logging for this session."
          />
        </div>
      </CardBody>
    </Card>
  );
}
