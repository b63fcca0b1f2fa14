import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { FieldError, Textarea } from "@/components/ui/field";

/** The exact request body as editable JSON; `onChange` gets every edit (the form follows while it parses). */
export function RawJsonTab({
  title,
  text,
  error,
  onChange,
}: {
  title: string;
  text: string;
  error: string | null;
  onChange: (text: string) => void;
}) {
  return (
    <Card>
      <CardHeader title={title} description="The exact request body. Edits here update the form; fields the form does not show are kept." />
      <CardBody>
        <label htmlFor="config-json" className="sr-only">
          Request body as JSON
        </label>
        <Textarea
          id="config-json"
          value={text}
          onChange={(e) => onChange(e.target.value)}
          spellCheck={false}
          rows={Math.min(32, Math.max(12, text.split("\n").length + 1))}
          className="font-mono text-[13px] leading-relaxed"
          invalid={!!error}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "config-json-error" : undefined}
        />
        <FieldError id="config-json-error" message={error ?? undefined} />
      </CardBody>
    </Card>
  );
}
