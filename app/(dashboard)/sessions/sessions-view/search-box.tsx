import { useEffect, useRef, useState } from "react";
import { parseSessionSearch } from "@/lib/dashboard-search";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/field";
import { SearchIcon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/spinner";

/**
 * A pause this long ends a burst of typing. Short enough that the answer (20-180 ms with 1,000 sessions) is drawn
 * within 300 ms of the last keystroke (bench/dashboard.ts), long enough not to ask for every letter.
 */
export const SEARCH_DEBOUNCE_MS = 80;

/**
 * The search box: pushes its text SEARCH_DEBOUNCE_MS after typing stops (at once on Enter), shows the metadata
 * tokens it parsed below it, and a spinner while the list for what it holds is being fetched.
 */
export function SearchBox({ value, onChange, loading }: { value: string; onChange: (value: string) => void; loading: boolean }) {
  const [text, setText] = useState(value);
  const [synced, setSynced] = useState(value);
  // What this box pushed last: when it comes back as `value`, the user may have typed on meanwhile.
  const [pushed, setPushed] = useState(value);
  if (value !== synced) {
    setSynced(value);
    // Changed elsewhere (a metadata chip, Clear filters, a navigation): show it.
    if (value !== pushed) {
      setText(value);
      setPushed(value);
    }
  }
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const push = (next: string, delay: number) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      setPushed(next.trim());
      onChange(next.trim());
    }, delay);
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
      {/* The icons sit in a box of the input's height, so the chips below never move them out of it. */}
      <div className="relative">
        <SearchIcon
          className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-zinc-400"
          data-testid="search-icon"
        />
        <Input
          id="session-search"
          type="search"
          placeholder="Search name, phone, push name… or key=value for metadata"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            push(e.target.value, SEARCH_DEBOUNCE_MS);
          }}
          className="pr-9 pl-9"
          aria-describedby="session-search-hint"
          autoComplete="off"
          spellCheck={false}
        />
        {loading && (
          <span data-testid="sessions-loading" className="absolute top-1/2 right-3 -translate-y-1/2 text-emerald-600 dark:text-emerald-400">
            <Spinner label="Searching…" />
          </span>
        )}
      </div>
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
