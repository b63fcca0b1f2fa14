import { useEffect, useRef, useState } from "react";
import { parseSessionSearch } from "@/lib/dashboard-search";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/field";
import { SearchIcon } from "@/components/ui/icons";

/** The search box: pushes its text 300 ms after typing stops (at once on Enter) and shows the metadata tokens it parsed. */
export function SearchBox({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const [text, setText] = useState(value);
  const [synced, setSynced] = useState(value);
  if (value !== synced) {
    setSynced(value);
    setText(value);
  }
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const push = (next: string, delay: number) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => onChange(next.trim()), delay);
  };
  useEffect(() => () => (timer.current ? clearTimeout(timer.current) : undefined), []);
  const parsed = parseSessionSearch(text);
  const pairs = Object.entries(parsed.metadata);
  return (
    <form
      role="search"
      className="relative min-w-0 flex-1"
      onSubmit={(e) => {
        e.preventDefault();
        push(text, 0);
      }}
    >
      <label htmlFor="session-search" className="sr-only">
        Search sessions
      </label>
      <SearchIcon className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-zinc-400" />
      <Input
        id="session-search"
        type="search"
        placeholder="Search name, phone, push name… or key=value for metadata"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          push(e.target.value, 300);
        }}
        className="pl-9"
        aria-describedby="session-search-hint"
        autoComplete="off"
        spellCheck={false}
      />
      <p id="session-search-hint" className="sr-only">
        Free text matches names, phone numbers, push names and metadata values. Tokens like team=sales filter by metadata.
      </p>
      {pairs.length > 0 && (
        <p className="mt-1.5 flex flex-wrap items-center gap-1 text-xs text-zinc-500 dark:text-zinc-400" aria-live="polite">
          Metadata:
          {pairs.map(([k, v]) => (
            <Badge key={k} tone="violet" className="font-mono text-[11px]">
              {k}={v}
            </Badge>
          ))}
          {parsed.text && (
            <>
              text: <Badge className="text-[11px]">{parsed.text}</Badge>
            </>
          )}
        </p>
      )}
    </form>
  );
}
