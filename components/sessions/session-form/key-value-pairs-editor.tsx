import type { TMetadataRow } from "@/lib/dashboard-config-draft";
import type { TFieldErrors } from "@/lib/dashboard-config-validation";
import { Input, describedBy } from "@/components/ui/field";
import { idFor } from "./field-ids";
import { PairCell, PairRow } from "./pair-row";

/** The metadata rows: a key and a value each, with the errors of `metadata.<row>.key|value`. */
export function KeyValuePairsEditor({ rows, errors, onChange }: { rows: TMetadataRow[]; errors: TFieldErrors; onChange: (rows: TMetadataRow[]) => void }) {
  const setRow = (index: number, patch: Partial<Pick<TMetadataRow, "key" | "value">>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <ul className="grid gap-2" aria-label="Metadata pairs">
      {rows.map((row, index) => {
        const keyId = idFor(`metadata.${index}.key`);
        const valueId = idFor(`metadata.${index}.value`);
        const keyError = errors[`metadata.${index}.key`];
        const valueError = errors[`metadata.${index}.value`];
        return (
          <PairRow
            key={row.id}
            className="grid grid-cols-[1fr_1fr_auto] items-start gap-2"
            removeLabel={`Remove ${row.key || `pair ${index + 1}`}`}
            onRemove={() => onChange(rows.filter((_, i) => i !== index))}
          >
            <PairCell id={keyId} label={`Key ${index + 1}`} error={keyError}>
              <Input
                id={keyId}
                placeholder="key"
                value={row.key}
                onChange={(e) => setRow(index, { key: e.target.value })}
                className="font-mono text-[13px]"
                spellCheck={false}
                invalid={!!keyError}
                {...describedBy(keyId, keyError)}
              />
            </PairCell>
            <PairCell id={valueId} label={`Value ${index + 1}`} error={valueError}>
              <Input
                id={valueId}
                placeholder="value"
                value={row.value}
                onChange={(e) => setRow(index, { value: e.target.value })}
                className="font-mono text-[13px]"
                spellCheck={false}
                invalid={!!valueError}
                {...describedBy(valueId, valueError)}
              />
            </PairCell>
          </PairRow>
        );
      })}
    </ul>
  );
}
