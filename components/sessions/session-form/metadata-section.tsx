import { newRowId } from "@/lib/dashboard-config-draft";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field";
import { PlusIcon } from "@/components/ui/icons";
import { KeyValuePairsEditor } from "./key-value-pairs-editor";
import type { TFormFields } from "./use-session-form";

/** The session's own key/value pairs, edited as rows (the draft keeps them apart from the config). */
export function MetadataSection({ fields }: { fields: TFormFields }) {
  const { draft, errors, update } = fields;
  const rows = draft.metadata;
  return (
    <Card>
      <CardHeader
        title="Metadata"
        description={
          <>
            Your own key/value pairs: echoed in every event and searchable on the sessions page as{" "}
            <code className="font-mono">key=value</code>.
          </>
        }
        actions={
          <Button
            size="sm"
            variant="secondary"
            icon={<PlusIcon className="size-4" />}
            onClick={() => update({ ...draft, metadata: [...rows, { id: newRowId(), key: "", value: "" }] })}
          >
            Add pair
          </Button>
        }
      />
      <CardBody>
        {errors.metadata && <FieldError message={errors.metadata} />}
        {rows.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            No metadata. Add pairs such as <code className="font-mono">tenant=acme</code> to find this session later.
          </p>
        ) : (
          <KeyValuePairsEditor rows={rows} errors={errors} onChange={(metadata) => update({ ...draft, metadata })} />
        )}
      </CardBody>
    </Card>
  );
}
