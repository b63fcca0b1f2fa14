import type { TPath } from "@/lib/dashboard-config-draft";
import { configFieldKey } from "@/lib/dashboard-config-validation";
import { RETRY_POLICIES } from "@/lib/session-config";
import { Button } from "@/components/ui/button";
import { Field, FieldError, Select } from "@/components/ui/field";
import { TrashIcon } from "@/components/ui/icons";
import { NumberField, SecretField, TextField } from "./config-fields";
import { CustomHeadersEditor } from "./custom-headers-editor";
import { configFieldId } from "./field-ids";
import type { TFormFields } from "./use-session-form";
import { WebhookEventsPicker } from "./webhook-events-picker";

/** One webhook of `config.webhooks`: URL, events, HMAC key, retries and custom headers. */
export function WebhookEditor({ fields, index, onRemove }: { fields: TFormFields; index: number; onRemove: () => void }) {
  const base: TPath = ["webhooks", index];
  const policy: TPath = [...base, "retries", "policy"];
  const webhookError = fields.errors[configFieldKey(base)];

  return (
    <fieldset className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800" data-testid="webhook-editor">
      <legend className="px-1 text-[13px] font-semibold text-zinc-800 dark:text-zinc-200">Webhook {index + 1}</legend>
      <div className="grid gap-4">
        <div className="flex items-start gap-2">
          <div className="flex-1">
            <TextField
              fields={fields}
              path={[...base, "url"]}
              label="URL"
              placeholder="https://example.com/whatsapp/events"
              mono
              type="url"
            />
          </div>
          <Button
            size="icon"
            variant="ghost"
            className="mt-6"
            aria-label={`Remove webhook ${index + 1}`}
            icon={<TrashIcon className="size-4" />}
            onClick={onRemove}
          />
        </div>
        {webhookError && <FieldError message={webhookError} />}

        <WebhookEventsPicker fields={fields} path={[...base, "events"]} />

        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <SecretField fields={fields} path={[...base, "hmac", "key"]} label="HMAC key" hint="Signs the body (X-Webhook-Hmac, SHA-512)" />
          <Field id={configFieldId(policy)} label="Retry policy" error={fields.errors[configFieldKey(policy)]}>
            <Select
              id={configFieldId(policy)}
              value={(fields.value(policy) as string | undefined) ?? ""}
              onChange={(e) => fields.set(policy, e.target.value || undefined)}
            >
              <option value="">Default (constant)</option>
              {RETRY_POLICIES.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </Select>
          </Field>
          <NumberField
            fields={fields}
            path={[...base, "retries", "delaySeconds"]}
            label="Retry delay (s)"
            hint="Default 2"
            min={0}
            step={0.5}
          />
          <NumberField fields={fields} path={[...base, "retries", "attempts"]} label="Retries" hint="Default 15" min={0} step={1} />
        </div>

        <CustomHeadersEditor fields={fields} path={[...base, "customHeaders"]} />
      </div>
    </fieldset>
  );
}
