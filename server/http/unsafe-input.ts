import type { TFieldIssue } from "@/lib/errors";

/** Keys that reach an object's prototype when assigned: never data, always an attack or a mistake. */
const PROTOTYPE_KEYS = new Set(["__proto__"]);

/** Deeper than any config: refuse rather than recurse without bound. */
const MAX_DEPTH = 64;

/**
 * Field issues for parsed JSON that no schema should see: `__proto__` keys (JSON.parse makes them own
 * properties; an object assignment would change the prototype instead) and strings that are not
 * well-formed UTF-16 (a lone surrogate cannot be stored as UTF-8 and made the database driver throw).
 */
export function findUnsafeJson(value: unknown, path: string[] = []): TFieldIssue[] {
  if (path.length > MAX_DEPTH) return [{ field: fieldName(path), message: `nested deeper than ${MAX_DEPTH} levels` }];
  if (typeof value === "string") {
    return value.isWellFormed() ? [] : [{ field: fieldName(path), message: "must not contain a lone UTF-16 surrogate" }];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => findUnsafeJson(item, [...path, String(i)]));
  if (typeof value !== "object" || value === null) return [];
  return Object.keys(value).flatMap((key) => [
    ...findUnsafeKey(key, [...path, key]),
    ...findUnsafeJson((value as Record<string, unknown>)[key], [...path, key]),
  ]);
}

/** Issues for one object key (also for query parameters such as `metadata.<key>`). */
export function findUnsafeKey(key: string, path: string[] = [key]): TFieldIssue[] {
  if (PROTOTYPE_KEYS.has(key)) return [{ field: fieldName(path), message: `"${key}" is not allowed as a key` }];
  if (!key.isWellFormed()) return [{ field: fieldName(path), message: "key must not contain a lone UTF-16 surrogate" }];
  return [];
}

function fieldName(path: string[]): string {
  return path.length ? path.join(".") : "body";
}
