/**
 * Helpers for the dashboard's session-config form: immutable get/set by path, and turning the
 * form's draft into the exact request body (empty optional fields dropped) and back.
 * Universal code; validation stays with the zod schemas in session-config.ts / session.ts.
 */

export type TPath = (string | number)[];
/** The form creates a session (POST /api/sessions) or edits one's config (PUT /api/sessions/{name}). */
export type TFormMode = "create" | "edit";
type TJson = Record<string, unknown>;

export function getAt(source: unknown, path: TPath): unknown {
  let current: unknown = source;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A copy of `source` with `value` at `path` (created as needed); `undefined` removes the key. */
export function setAt<T>(source: T, path: TPath, value: unknown): T {
  if (path.length === 0) return value as T;
  const [key, ...rest] = path;
  const base: unknown = source ?? (typeof key === "number" ? [] : {});
  if (Array.isArray(base)) {
    const copy = [...base];
    copy[key as number] = setAt(copy[key as number], rest, value);
    return copy as T;
  }
  const copy = { ...(base as TJson) };
  const next = setAt(copy[key as string], rest, value);
  if (next === undefined) delete copy[key as string];
  else copy[key as string] = next;
  return copy as T;
}

export interface TMetadataRow {
  id: number;
  key: string;
  value: string;
}

export interface TConfigDraft {
  name: string;
  start: boolean;
  /** The session config without `metadata` (kept as editable rows), in its JSON shape. */
  config: TJson;
  metadata: TMetadataRow[];
}

let rowId = 1;
export const newRowId = () => rowId++;

export function draftFromConfig(config: unknown, name = "", start = true): TConfigDraft {
  const { metadata, ...rest } = (config && typeof config === "object" && !Array.isArray(config) ? config : {}) as TJson;
  const rows =
    metadata && typeof metadata === "object" && !Array.isArray(metadata)
      ? Object.entries(metadata as TJson).map(([key, value]) => ({
          id: newRowId(),
          key,
          value: typeof value === "string" ? value : String(value),
        }))
      : [];
  return { name, start, config: rest, metadata: rows };
}

/** Body of POST /api/sessions (mode create) or PUT /api/sessions/{name} (mode edit). */
export function bodyFromDraft(draft: TConfigDraft, mode: TFormMode): TJson {
  const config = prune(draft.config) as TJson | undefined;
  const filled = draft.metadata.filter((row) => row.key !== "" || row.value !== "");
  const full: TJson = { ...(config ?? {}) };
  if (filled.length) full.metadata = Object.fromEntries(filled.map((row) => [row.key, row.value]));
  if (mode === "edit") return { config: full };
  const body: TJson = {};
  if (draft.name.trim()) body.name = draft.name.trim();
  body.start = draft.start;
  body.config = full;
  return body;
}

/** The reverse of bodyFromDraft, for the raw JSON tab. Throws with a readable message on bad input. */
export function draftFromBody(body: unknown, mode: TFormMode, previous: TConfigDraft): TConfigDraft {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new Error("The body must be a JSON object.");
  const record = body as TJson;
  const config = record.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw new Error('"config" must be an object.');
  checkMetadataIsText((config as TJson).metadata);
  const draft = draftFromConfig(config, previous.name, previous.start);
  // Keep row ids stable where keys did not change, so focus is not lost while typing.
  draft.metadata = draft.metadata.map((row) => ({ ...row, id: previous.metadata.find((p) => p.key === row.key)?.id ?? row.id }));
  if (mode === "create") {
    draft.name = typeof record.name === "string" ? record.name : "";
    draft.start = typeof record.start === "boolean" ? record.start : true;
  }
  return draft;
}

/**
 * Metadata values are text: the raw JSON tab refuses `42`, `true` or an object rather than turning it
 * into "42" behind the user's back (the API refuses it too).
 */
function checkMetadataIsText(metadata: unknown): void {
  if (metadata === undefined || metadata === null) return;
  if (typeof metadata !== "object" || Array.isArray(metadata))
    throw new Error('Metadata must be an object of text values, such as { "tenant": "acme" }.');
  for (const [key, value] of Object.entries(metadata as TJson)) {
    if (typeof value === "string") continue;
    const what =
      value === null
        ? "null"
        : Array.isArray(value)
          ? "a list"
          : typeof value === "object"
            ? "an object"
            : `the ${typeof value} ${JSON.stringify(value)}`;
    const hint = typeof value === "number" || typeof value === "boolean" ? ` Put it in quotes: "${String(value)}".` : "";
    throw new Error(`Metadata "${key}" must be a string (text in quotes), not ${what}.${hint}`);
  }
}

/**
 * Drop what an empty form field leaves behind: "", null, undefined, NaN, empty objects and arrays.
 * Custom headers are kept whole (an empty header value is legitimate).
 */
export function prune(value: unknown, path: TPath = []): unknown {
  if (value === null || value === undefined || value === "") return undefined;
  if (typeof value === "number" && Number.isNaN(value)) return undefined;
  if (Array.isArray(value)) {
    if (path.at(-1) === "customHeaders")
      return value.length ? value.map((h) => ({ name: h?.name ?? "", value: h?.value ?? "" })) : undefined;
    const items = value.map((item, i) => prune(item, [...path, i]) ?? (typeof item === "object" ? {} : item));
    return items.length ? items : undefined;
  }
  if (typeof value === "object") {
    const out: TJson = {};
    for (const [key, item] of Object.entries(value as TJson)) {
      const pruned = prune(item, [...path, key]);
      if (pruned !== undefined) out[key] = pruned;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}
