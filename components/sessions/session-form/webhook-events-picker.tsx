import { EVENT_NAMES } from "@/lib/event-names";
import type { TPath } from "@/lib/dashboard-config-draft";
import { configFieldKey } from "@/lib/dashboard-config-validation";
import { cn } from "@/components/ui/cn";
import { Checkbox, FieldError } from "@/components/ui/field";
import { idFor } from "./field-ids";
import type { TFormFields } from "./use-session-form";

/** The events a webhook gets (`<webhook>.events`): `*`, or names picked one by one; `*` covers all but two. */
export function WebhookEventsPicker({ fields, path }: { fields: TFormFields; path: TPath }) {
  const events = (fields.value(path) as string[] | undefined) ?? [];
  const key = configFieldKey(path);
  const error = fields.errors[key];
  const all = events.includes("*");
  const toggle = (name: string) => fields.set(path, events.includes(name) ? events.filter((e) => e !== name) : [...events, name]);
  return (
    <fieldset aria-describedby={error ? `${idFor(key)}-error` : undefined}>
      <legend id={idFor(key)} className="mb-2 text-[13px] font-medium text-zinc-800 dark:text-zinc-200">
        Events <span className="font-normal text-zinc-500">({all ? "all" : events.length} selected)</span>
      </legend>
      <label className="mb-2 flex items-center gap-2 text-[13px]">
        <Checkbox checked={all} onChange={() => toggle("*")} />
        <span>
          <code className="font-mono">*</code> all events{" "}
          <span className="text-zinc-500">(except engine.event and state.change, which must be picked by name)</span>
        </span>
      </label>
      <div className="grid max-h-56 grid-cols-1 gap-x-4 gap-y-1.5 overflow-y-auto rounded-md border border-zinc-100 p-2.5 sm:grid-cols-2 lg:grid-cols-3 dark:border-zinc-800">
        {EVENT_NAMES.map((name) => {
          const covered = all && name !== "engine.event" && name !== "state.change";
          return (
            <label key={name} className={cn("flex items-center gap-2 text-[13px]", covered && "text-zinc-400 dark:text-zinc-500")}>
              <Checkbox checked={events.includes(name) || covered} disabled={covered} onChange={() => toggle(name)} />
              <code className="font-mono text-[12px]">{name}</code>
            </label>
          );
        })}
      </div>
      <FieldError id={`${idFor(key)}-error`} message={error} />
    </fieldset>
  );
}
