import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/field";
import { TrashIcon } from "@/components/ui/icons";

/** One row of a list of pairs (metadata, custom headers): its cells, then the button that removes it. */
export function PairRow({
  className,
  removeLabel,
  onRemove,
  children,
}: {
  className: string;
  removeLabel: string;
  onRemove: () => void;
  children: ReactNode;
}) {
  return (
    <li className={className}>
      {children}
      <Button size="icon" variant="ghost" aria-label={removeLabel} icon={<TrashIcon className="size-4" />} onClick={onRemove} />
    </li>
  );
}

/** One cell of a pair: its control, labelled for screen readers only, and its error below. */
export function PairCell({ id, label, error, children }: { id: string; label: string; error?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      {children}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
