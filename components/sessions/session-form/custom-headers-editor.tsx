import type { TPath } from "@/lib/dashboard-config-draft";
import { configFieldKey } from "@/lib/dashboard-config-validation";
import { Button } from "@/components/ui/button";
import { Input, describedBy } from "@/components/ui/field";
import { PlusIcon } from "@/components/ui/icons";
import { idFor } from "./field-ids";
import { PairCell, PairRow } from "./pair-row";
import { SecretInput } from "./secret-input";
import type { TFormFields } from "./use-session-form";

type THeader = { name: string; value: string };

/** A webhook's custom headers (`<webhook>.customHeaders`): a name and a secret value each; an empty value is kept. */
export function CustomHeadersEditor({ fields, path }: { fields: TFormFields; path: TPath }) {
  const headers = (fields.value(path) as THeader[] | undefined) ?? [];
  return (
    <div>
      <div className="mb-2 flex items-center justify-between">
        <p className="text-[13px] font-medium text-zinc-800 dark:text-zinc-200">Custom headers</p>
        <Button
          size="sm"
          variant="ghost"
          icon={<PlusIcon className="size-4" />}
          onClick={() => fields.set([...path, headers.length], { name: "", value: "" })}
        >
          Add header
        </Button>
      </div>
      {headers.length === 0 ? (
        <p className="text-xs text-zinc-500 dark:text-zinc-400">None. Add one for a receiver that expects e.g. an Authorization header.</p>
      ) : (
        <ul className="grid gap-2">
          {headers.map((header, h) => {
            const nameKey = configFieldKey([...path, h, "name"]);
            const valueKey = configFieldKey([...path, h, "value"]);
            const [nameError, valueError] = [fields.errors[nameKey], fields.errors[valueKey]];
            return (
              <PairRow
                key={h}
                className="grid grid-cols-[1fr_1.4fr_auto] items-start gap-2"
                removeLabel={`Remove header ${header.name || h + 1}`}
                onRemove={() =>
                  fields.set(
                    path,
                    headers.filter((_, i) => i !== h),
                  )
                }
              >
                <PairCell id={idFor(nameKey)} label={`Header ${h + 1} name`} error={nameError}>
                  <Input
                    id={idFor(nameKey)}
                    placeholder="X-Header"
                    value={header.name}
                    onChange={(e) => fields.set([...path, h, "name"], e.target.value)}
                    className="font-mono text-[13px]"
                    invalid={!!nameError}
                    {...describedBy(idFor(nameKey), nameError)}
                  />
                </PairCell>
                <PairCell id={idFor(valueKey)} label={`Header ${h + 1} value`} error={valueError}>
                  <SecretInput
                    id={idFor(valueKey)}
                    label={`Header ${h + 1} value`}
                    secrets={fields.secrets}
                    placeholder="value"
                    value={header.value}
                    onChange={(e) => fields.set([...path, h, "value"], e.target.value)}
                    invalid={!!valueError}
                    {...describedBy(idFor(valueKey), valueError)}
                  />
                </PairCell>
              </PairRow>
            );
          })}
        </ul>
      )}
    </div>
  );
}
