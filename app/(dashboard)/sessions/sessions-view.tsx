"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { isApiError, runSessionAction, type TSessionAction } from "@/lib/api-client";
import { formatSessionSearch, parseSessionSearch } from "@/lib/dashboard-search";
import { ALL_SESSIONS } from "@/lib/realtime-messages";
import type { TSession } from "@/lib/session";
import { SESSION_STATUSES, ZSessionStatusSchema, type TSessionStatus } from "@/lib/session-status";
import { queryKeys } from "@/components/data/query-keys";
import { useRealtimeSubscription } from "@/components/data/realtime";
import { ACTION_LABELS, runBulk, useSessionList } from "@/components/data/sessions";
import { MetadataChips, formatPhone } from "@/components/sessions/metadata-chips";
import { STATUS_INFO, StatusBadge } from "@/components/sessions/status-badge";
import { PageHeader } from "@/components/shell/app-shell";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button, buttonClasses } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ConfirmDialog } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBoundary } from "@/components/ui/error-boundary";
import { Checkbox, Input } from "@/components/ui/field";
import { LayersIcon, PlayIcon, PlusIcon, RefreshIcon, SearchIcon, StopIcon, XIcon } from "@/components/ui/icons";
import { Pagination } from "@/components/ui/pagination";
import { Skeleton } from "@/components/ui/skeleton";
import { RelativeTime } from "@/components/ui/time";
import { useToast } from "@/components/ui/toast";

const PAGE_SIZES = [25, 50, 100];
const DEFAULT_LIMIT = 50;

/** Filters live in the URL (?q=&status=&offset=&limit=) so a view can be bookmarked and shared. */
function useFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const search = params.get("q") ?? "";
  const statuses = (params.get("status") ?? "")
    .split(",")
    .filter((s): s is TSessionStatus => ZSessionStatusSchema.safeParse(s).success);
  const limit = PAGE_SIZES.includes(Number(params.get("limit"))) ? Number(params.get("limit")) : DEFAULT_LIMIT;
  const offset = Math.max(0, Number(params.get("offset")) || 0);
  const update = (changes: Record<string, string | number | null>) => {
    const next = new URLSearchParams(params.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === "" || value === 0) next.delete(key);
      else next.set(key, String(value));
    }
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };
  return { search, statuses, limit, offset, update };
}

export function SessionsView() {
  const { search, statuses, limit, offset, update } = useFilters();
  const parsed = useMemo(() => parseSessionSearch(search), [search]);
  // A new object each render is fine: React Query compares keys by their hashed value.
  const listParams = { q: parsed.text, metadata: parsed.metadata, status: statuses, limit, offset };
  const query = useSessionList(listParams);
  useRealtimeSubscription(ALL_SESSIONS);
  const queryClient = useQueryClient();

  const [selected, setSelected] = useState<Set<string>>(new Set());
  const filtersKey = `${search}|${statuses.join(",")}`;
  const [lastFilters, setLastFilters] = useState(filtersKey);
  if (filtersKey !== lastFilters) {
    setLastFilters(filtersKey);
    setSelected(new Set());
  }

  const items = query.data?.items ?? [];
  const total = query.data?.total ?? 0;
  const filtered = search.trim() !== "" || statuses.length > 0;

  // Past the last page (rows deleted elsewhere): go back to the last one that exists.
  useEffect(() => {
    if (query.data && offset > 0 && offset >= total) update({ offset: Math.max(0, Math.floor((total - 1) / limit) * limit) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query.data, offset, total, limit]);

  const addMetadataFilter = (key: string, value: string) => {
    const next = parseSessionSearch(search);
    next.metadata[key] = value;
    update({ q: formatSessionSearch(next), offset: null });
  };

  return (
    <>
      <PageHeader
        title="Sessions"
        description={
          query.data ? (
            <span aria-live="polite">
              {total.toLocaleString("en-US")} {filtered ? "matching" : ""} session{total === 1 ? "" : "s"}
            </span>
          ) : (
            "WhatsApp accounts run by this server"
          )
        }
        actions={
          <Link href="/sessions/new" className={buttonClasses("primary")}>
            <PlusIcon className="size-4" />
            New session
          </Link>
        }
      />

      <div className="mb-4 flex flex-col gap-3 lg:flex-row lg:items-center">
        <SearchBox value={search} onChange={(q) => update({ q, offset: null })} />
        <StatusFilter value={statuses} onChange={(next) => update({ status: next.join(","), offset: null })} />
        {filtered && (
          <Button variant="ghost" size="sm" icon={<XIcon className="size-4" />} onClick={() => update({ q: null, status: null, offset: null })}>
            Clear filters
          </Button>
        )}
      </div>

      {selected.size > 0 && <BulkBar selected={[...selected]} onDone={() => setSelected(new Set())} />}

      <div className="overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900/60">
        {query.isError && !query.data ? (
          <div className="p-4 sm:p-6">
            <Alert
              tone="error"
              title="Sessions could not be loaded"
              actions={
                <Button size="sm" variant="secondary" icon={<RefreshIcon className="size-4" />} onClick={() => query.refetch()}>
                  Try again
                </Button>
              }
            >
              {errorText(query.error)}
            </Alert>
          </div>
        ) : query.isPending ? (
          <LoadingRows />
        ) : items.length === 0 ? (
          filtered ? (
            <EmptyState
              icon={<SearchIcon className="size-5" />}
              title="No sessions match these filters"
              actions={
                <Button variant="secondary" onClick={() => update({ q: null, status: null, offset: null })}>
                  Clear filters
                </Button>
              }
            >
              Free text matches names, phone numbers, push names and metadata values. <code className="font-mono">key=value</code> tokens must match metadata exactly.
            </EmptyState>
          ) : (
            <EmptyState
              icon={<LayersIcon className="size-5" />}
              title="No sessions yet"
              actions={
                <Link href="/sessions/new" className={buttonClasses("primary")}>
                  <PlusIcon className="size-4" />
                  Create a session
                </Link>
              }
            >
              A session is one WhatsApp account. Create one here, or with <code className="font-mono">POST /api/sessions</code>, then scan its QR code with
              the phone.
            </EmptyState>
          )
        ) : (
          <>
            {query.isError && (
              <div className="border-b border-zinc-100 p-3 dark:border-zinc-800">
                <Alert tone="warning">Showing the last loaded page: {errorText(query.error)}</Alert>
              </div>
            )}
            <ErrorBoundary title="The sessions could not be shown" className="m-4" onReset={() => void queryClient.resetQueries({ queryKey: queryKeys.lists() })}>
              <SessionTable items={items} selected={selected} onSelect={setSelected} onMetadata={addMetadataFilter} fetching={query.isFetching} />
              <SessionCards items={items} selected={selected} onSelect={setSelected} onMetadata={addMetadataFilter} />
            </ErrorBoundary>
          </>
        )}
      </div>

      {total > 0 && (
        <div className="mt-4">
          <Pagination
            offset={offset}
            limit={limit}
            total={total}
            pageSizes={PAGE_SIZES}
            onOffsetChange={(next) => update({ offset: next })}
            onLimitChange={(next) => update({ limit: next === DEFAULT_LIMIT ? null : next, offset: null })}
            label="Sessions pages"
          />
        </div>
      )}
    </>
  );
}

function errorText(error: unknown): string {
  if (isApiError(error)) return error.status === 0 ? error.message : `${error.message} (HTTP ${error.status})`;
  return "Unexpected error. Reload the page; if it persists, check the server log.";
}

function SearchBox({ value, onChange }: { value: string; onChange: (value: string) => void }) {
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

function StatusFilter({ value, onChange }: { value: TSessionStatus[]; onChange: (value: TSessionStatus[]) => void }) {
  return (
    <div role="group" aria-label="Filter by status" className="scrollbar-thin flex gap-1 overflow-x-auto">
      {SESSION_STATUSES.map((status) => {
        const active = value.includes(status);
        return (
          <button
            key={status}
            type="button"
            aria-pressed={active}
            onClick={() => onChange(active ? value.filter((s) => s !== status) : [...value, status])}
            className={cn(
              "inline-flex h-9 items-center gap-1.5 rounded-lg border px-2.5 text-[13px] font-medium whitespace-nowrap transition-colors",
              active
                ? "border-emerald-600 bg-emerald-50 text-emerald-800 dark:border-emerald-500 dark:bg-emerald-950/50 dark:text-emerald-200"
                : "border-zinc-300 bg-white text-zinc-600 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800",
            )}
          >
            <span aria-hidden="true" className={cn("size-1.5 rounded-full", STATUS_INFO[status].dot)} />
            {STATUS_INFO[status].label}
          </button>
        );
      })}
    </div>
  );
}

type SelectionProps = {
  items: TSession[];
  selected: Set<string>;
  onSelect: (selected: Set<string>) => void;
  onMetadata: (key: string, value: string) => void;
};

function toggle(set: Set<string>, name: string): Set<string> {
  const next = new Set(set);
  if (next.has(name)) next.delete(name);
  else next.add(name);
  return next;
}

function SessionTable({ items, selected, onSelect, onMetadata, fetching }: SelectionProps & { fetching: boolean }) {
  const allSelected = items.length > 0 && items.every((s) => selected.has(s.name));
  const someSelected = items.some((s) => selected.has(s.name));
  const th = "px-3 py-2.5 text-left text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400";
  return (
    <div className="hidden overflow-x-auto md:block">
      <table className={cn("w-full text-sm transition-opacity", fetching && "opacity-90")} aria-busy={fetching}>
        <caption className="sr-only">Sessions</caption>
        <thead className="border-b border-zinc-200 bg-zinc-50/80 dark:border-zinc-800 dark:bg-zinc-900">
          <tr>
            <th scope="col" className="w-10 py-2.5 pr-1 pl-4">
              <Checkbox
                aria-label="Select all sessions on this page"
                checked={allSelected}
                ref={(el) => {
                  if (el) el.indeterminate = someSelected && !allSelected;
                }}
                onChange={() => {
                  const next = new Set(selected);
                  items.forEach((s) => (allSelected ? next.delete(s.name) : next.add(s.name)));
                  onSelect(next);
                }}
              />
            </th>
            <th scope="col" className={th}>Name</th>
            <th scope="col" className={th}>Status</th>
            <th scope="col" className={th}>Phone</th>
            <th scope="col" className={cn(th, "hidden lg:table-cell")}>Push name</th>
            <th scope="col" className={cn(th, "hidden xl:table-cell")}>Engine</th>
            <th scope="col" className={th}>Metadata</th>
            <th scope="col" className={cn(th, "text-right")}>Last activity</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800/80">
          {items.map((session) => (
            <tr
              key={session.name}
              data-testid="session-row"
              data-session={session.name}
              className={cn("group transition-colors hover:bg-zinc-50 dark:hover:bg-zinc-800/40", selected.has(session.name) && "bg-emerald-50/50 dark:bg-emerald-950/20")}
            >
              <td className="py-2.5 pr-1 pl-4">
                <Checkbox aria-label={`Select ${session.name}`} checked={selected.has(session.name)} onChange={() => onSelect(toggle(selected, session.name))} />
              </td>
              <td className="max-w-[16rem] px-3 py-2.5">
                <Link
                  href={`/sessions/${encodeURIComponent(session.name)}`}
                  className="block truncate font-mono text-[13px] font-medium text-zinc-900 hover:text-emerald-700 hover:underline dark:text-zinc-100 dark:hover:text-emerald-400"
                >
                  {session.name}
                </Link>
              </td>
              <td className="px-3 py-2.5">
                <StatusBadge status={session.status} />
              </td>
              <td className="px-3 py-2.5 font-mono text-[13px] whitespace-nowrap text-zinc-700 tabular-nums dark:text-zinc-300">
                {formatPhone(session.me?.id) ?? <span className="text-zinc-400 dark:text-zinc-600">—</span>}
              </td>
              <td className="hidden max-w-[12rem] truncate px-3 py-2.5 text-zinc-700 lg:table-cell dark:text-zinc-300">
                {session.me?.pushName ?? <span className="text-zinc-400 dark:text-zinc-600">—</span>}
              </td>
              <td className="hidden px-3 py-2.5 xl:table-cell">
                <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{session.engine.engine}</span>
              </td>
              <td className="px-3 py-2.5">
                <MetadataChips metadata={session.config.metadata} onSelect={onMetadata} />
              </td>
              <td className="px-3 py-2.5 text-right text-[13px] whitespace-nowrap text-zinc-500 dark:text-zinc-400">
                <RelativeTime timestamp={session.timestamps.activity} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SessionCards({ items, selected, onSelect, onMetadata }: SelectionProps) {
  return (
    <ul className="divide-y divide-zinc-100 md:hidden dark:divide-zinc-800" aria-label="Sessions">
      {items.map((session) => (
        <li key={session.name} className="flex gap-3 px-4 py-3.5" data-testid="session-card" data-session={session.name}>
          <Checkbox className="mt-1" aria-label={`Select ${session.name}`} checked={selected.has(session.name)} onChange={() => onSelect(toggle(selected, session.name))} />
          <div className="min-w-0 flex-1 space-y-1.5">
            <div className="flex items-center justify-between gap-2">
              <Link href={`/sessions/${encodeURIComponent(session.name)}`} className="truncate font-mono text-[13px] font-medium text-zinc-900 hover:underline dark:text-zinc-100">
                {session.name}
              </Link>
              <StatusBadge status={session.status} />
            </div>
            <p className="flex flex-wrap gap-x-3 text-[13px] text-zinc-600 dark:text-zinc-400">
              <span className="font-mono tabular-nums">{formatPhone(session.me?.id) ?? "No account yet"}</span>
              {session.me?.pushName && <span>{session.me.pushName}</span>}
              <RelativeTime timestamp={session.timestamps.activity} className="text-zinc-400" />
            </p>
            <MetadataChips metadata={session.config.metadata} onSelect={onMetadata} max={4} />
          </div>
        </li>
      ))}
    </ul>
  );
}

function LoadingRows() {
  return (
    <div className="divide-y divide-zinc-100 dark:divide-zinc-800" aria-busy="true" aria-label="Loading sessions">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="flex items-center gap-4 px-4 py-3.5">
          <Skeleton className="size-4" />
          <Skeleton className="h-4 w-40" />
          <Skeleton className="h-5 w-20" />
          <Skeleton className="hidden h-4 w-28 sm:block" />
          <Skeleton className="ml-auto h-4 w-16" />
        </div>
      ))}
    </div>
  );
}

const BULK: { action: TSessionAction; Icon: typeof PlayIcon; confirm: boolean }[] = [
  { action: "start", Icon: PlayIcon, confirm: false },
  { action: "stop", Icon: StopIcon, confirm: true },
  { action: "restart", Icon: RefreshIcon, confirm: true },
];

function BulkBar({ selected, onDone }: { selected: string[]; onDone: () => void }) {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [running, setRunning] = useState<TSessionAction | null>(null);
  const [confirming, setConfirming] = useState<TSessionAction | null>(null);

  async function run(action: TSessionAction) {
    setConfirming(null);
    setRunning(action);
    const failures = await runBulk(selected, (name) => runSessionAction(name, action));
    setRunning(null);
    void queryClient.invalidateQueries({ queryKey: queryKeys.sessions() });
    const ok = selected.length - failures.length;
    const verb = ACTION_LABELS[action].done;
    if (failures.length === 0) toast.success(`${ok} session${ok === 1 ? "" : "s"} ${verb}`);
    else
      toast.error(
        `${failures.length} of ${selected.length} could not be ${verb}`,
        failures
          .slice(0, 3)
          .map((f) => `${f.item}: ${isApiError(f.error) ? f.error.message : "failed"}`)
          .join("; "),
      );
    onDone();
  }

  return (
    <div
      role="region"
      aria-label="Bulk actions"
      className="mb-3 flex flex-wrap items-center gap-2 rounded-xl border border-emerald-200 bg-emerald-50/70 px-3 py-2 dark:border-emerald-900/60 dark:bg-emerald-950/30"
    >
      <span className="mr-auto text-sm font-medium text-emerald-900 dark:text-emerald-100" aria-live="polite">
        {selected.length} selected
      </span>
      {BULK.map(({ action, Icon, confirm }) => (
        <Button
          key={action}
          size="sm"
          variant="secondary"
          loading={running === action}
          disabled={running !== null}
          icon={<Icon className="size-3.5" />}
          onClick={() => (confirm ? setConfirming(action) : run(action))}
        >
          {ACTION_LABELS[action].verb}
        </Button>
      ))}
      <Button size="sm" variant="ghost" onClick={onDone} disabled={running !== null}>
        Clear
      </Button>
      <ConfirmDialog
        open={confirming !== null}
        onCancel={() => setConfirming(null)}
        onConfirm={() => confirming && run(confirming)}
        title={confirming ? `${ACTION_LABELS[confirming].verb} ${selected.length} session${selected.length === 1 ? "" : "s"}?` : ""}
        description={
          confirming === "stop"
            ? "They disconnect from WhatsApp and stop receiving messages until started again. Their login is kept."
            : "Each one stops and starts again; messages arriving meanwhile are delivered after it reconnects."
        }
        confirmLabel={confirming ? ACTION_LABELS[confirming].verb : ""}
      >
        <p className="max-h-32 overflow-y-auto font-mono text-xs text-zinc-500">{selected.join(", ")}</p>
      </ConfirmDialog>
    </div>
  );
}
