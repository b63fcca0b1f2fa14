import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PlusIcon } from "@/components/ui/icons";
import type { TFormFields } from "./use-session-form";
import { WebhookEditor } from "./webhook-editor";

/** The session's webhooks (`config.webhooks`), one editor each; a new one starts with two common events. */
export function WebhooksSection({ fields }: { fields: TFormFields }) {
  const webhooks = (fields.value(["webhooks"]) as unknown[] | undefined) ?? [];
  return (
    <Card>
      <CardHeader
        title="Webhooks"
        description="Where this session's events are POSTed. Changes apply when the session (re)starts."
        actions={
          <Button
            size="sm"
            variant="secondary"
            icon={<PlusIcon className="size-4" />}
            onClick={() => fields.set(["webhooks", webhooks.length], { url: "", events: ["message", "session.status"] })}
          >
            Add webhook
          </Button>
        }
      />
      <CardBody className="grid gap-4">
        {webhooks.length === 0 && (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            No webhooks. Events are still pushed to the dashboard and to the global webhook, if one is configured.
          </p>
        )}
        {webhooks.map((_, index) => (
          <WebhookEditor
            key={index}
            index={index}
            fields={fields}
            onRemove={() =>
              fields.set(
                ["webhooks"],
                webhooks.filter((__, i) => i !== index),
              )
            }
          />
        ))}
      </CardBody>
    </Card>
  );
}
