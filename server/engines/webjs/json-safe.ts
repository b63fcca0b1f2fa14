/**
 * A plain-JSON copy of library event arguments for `engine.event` webhooks. whatsapp-web.js passes
 * class instances (Message, Chat, ...) whose `client` back-reference is hidden, but whose data may still
 * hold cycles, functions, bigints or buffers. Cycles become "[Circular]"; functions are dropped.
 */
export function toJsonSafe(value: unknown): unknown {
  const ancestors: object[] = [];
  const text = JSON.stringify(value, function (this: unknown, _key, current: unknown) {
    // `this` is the object holding `current`: trim the ancestor chain back to it before descending.
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (typeof current === "bigint") return current.toString();
    if (current instanceof Error) return { name: current.name, message: current.message };
    if (typeof current !== "object" || current === null) return current;
    if (ancestors.includes(current)) return "[Circular]";
    ancestors.push(current);
    return current;
  });
  return text === undefined ? null : JSON.parse(text);
}

/** No argument (`ready`) is null, one is the data itself, several (`loading_screen`: percent, message) an array. */
export function eventData(args: unknown[]): unknown {
  if (args.length === 0) return null;
  return toJsonSafe(args.length === 1 ? args[0] : args);
}
