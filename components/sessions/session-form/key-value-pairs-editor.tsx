import type { TMetadataRow } from "@/lib/dashboard-config-draft";
import type { TFieldErrors } from "@/lib/dashboard-config-validation";
import { Input, describedBy } from "@/components/ui/field";
import { idFor } from "./field-ids";
import { PairCell, PairRow } from "./pair-row";

type TPart = "key" | "value";
const LABELS: Record<TPart, string> = { key: "Key", value: "Value" };

/** The metadata rows: a key and a value each, with the errors of `metadata.<row>.key|value`. */
export function KeyValuePairsEditor({
  rows,
  errors,
  onChange,
}: {
  rows: TMetadataRow[];
  errors: TFieldErrors;
  onChange: (rows: TMetadataRow[]) => void;
}) {
  const cell = (row: TMetadataRow, index: number, part: TPart) => {
    const id = idFor(`metadata.${index}.${part}`);
    const error = errors[`metadata.${index}.${part}`];
    return (
      <PairCell id={id} label={`${LABELS[part]} ${index + 1}`} error={error}>
        <Input
          id={id}
          placeholder={part}
          value={row[part]}
          onChange={(e) => onChange(rows.map((r, i) => (i === index ? { ...r, [part]: e.target.value } : r)))}
          className="font-mono text-[13px]"
          spellCheck={false}
          invalid={!!error}
          {...describedBy(id, error)}
        />
      </PairCell>
    );
  };
  return (
    <ul className="grid gap-2" aria-label="Metadata pairs">
      {rows.map((row, index) => (
        <PairRow
          key={row.id}
          className="grid grid-cols-[1fr_1fr_auto] items-start gap-2"
          removeLabel={`Remove ${row.key || `pair ${index + 1}`}`}
          onRemove={() => onChange(rows.filter((_, i) => i !== index))}
        >
          {cell(row, index, "key")}
          {cell(row, index, "value")}
        </PairRow>
      ))}
    </ul>
  );
}
