import type { TPath } from "@/lib/dashboard-config-draft";
import { configFieldKey } from "@/lib/dashboard-config-validation";
import { Field, Input, Select, describedBy } from "@/components/ui/field";
import { idFor } from "./field-ids";
import { SecretInput } from "./secret-input";
import type { TFormFields } from "./use-session-form";

/** Controls bound to one field of the draft's config by its path; an emptied control removes the field. */

type TConfigFieldProps = { fields: TFormFields; path: TPath; label: string; hint?: string };

/** The control's id, the field's error and value, and its setter, by the field's path. */
function bind({ fields, path }: TConfigFieldProps) {
  const key = configFieldKey(path);
  return { id: idFor(key), error: fields.errors[key], current: fields.value(path), set: (value: unknown) => fields.set(path, value) };
}

export function TextField({
  placeholder,
  optional,
  mono,
  type = "text",
  ...props
}: TConfigFieldProps & { placeholder?: string; optional?: boolean; mono?: boolean; type?: string }) {
  const { id, error, current, set } = bind(props);
  return (
    <Field id={id} label={props.label} hint={props.hint} error={error} optional={optional}>
      <Input
        id={id}
        type={type}
        value={typeof current === "string" ? current : current == null ? "" : String(current)}
        onChange={(e) => set(e.target.value === "" ? undefined : e.target.value)}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        className={mono ? "font-mono text-[13px]" : undefined}
        invalid={!!error}
        {...describedBy(id, error, !!props.hint)}
      />
    </Field>
  );
}

export function SecretField(props: TConfigFieldProps) {
  const { id, error, current, set } = bind(props);
  return (
    <Field id={id} label={props.label} hint={props.hint} error={error} optional>
      <SecretInput
        id={id}
        label={props.label}
        secrets={props.fields.secrets}
        value={typeof current === "string" ? current : ""}
        onChange={(e) => set(e.target.value === "" ? undefined : e.target.value)}
        invalid={!!error}
        {...describedBy(id, error, !!props.hint)}
      />
    </Field>
  );
}

export function NumberField({ min, step, ...props }: TConfigFieldProps & { min?: number; step?: number }) {
  const { id, error, current, set } = bind(props);
  return (
    <Field id={id} label={props.label} hint={props.hint} error={error}>
      <Input
        id={id}
        type="number"
        inputMode="decimal"
        min={min}
        step={step}
        value={typeof current === "number" && !Number.isNaN(current) ? current : ""}
        onChange={(e) => set(e.target.value === "" ? undefined : Number(e.target.value))}
        className="tabular-nums"
        invalid={!!error}
        {...describedBy(id, error, !!props.hint)}
      />
    </Field>
  );
}

/** A boolean whose absence means "the server's default": Default / Yes / No. */
export function TriStateField({ yes = "On", no = "Off", ...props }: TConfigFieldProps & { yes?: string; no?: string }) {
  const { id, current, set } = bind(props);
  return (
    <Field id={id} label={props.label} hint={props.hint}>
      <Select
        id={id}
        value={current === true ? "true" : current === false ? "false" : ""}
        onChange={(e) => set(e.target.value === "" ? undefined : e.target.value === "true")}
      >
        <option value="">Default</option>
        <option value="true">{yes}</option>
        <option value="false">{no}</option>
      </Select>
    </Field>
  );
}
