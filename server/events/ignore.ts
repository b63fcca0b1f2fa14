import type { TEventName } from "@/lib/event-names";
import type { TSessionConfig } from "@/lib/session-config";

/** config.ignore with every field decided (after the WAHA_SESSION_CONFIG_IGNORE_* defaults). */
export interface TIgnoreRules {
  status: boolean;
  groups: boolean;
  channels: boolean;
  broadcast: boolean;
}

export const NO_IGNORE: TIgnoreRules = { status: false, groups: false, channels: false, broadcast: false };

/** Per field: the session's value when set, else the env default (WAHA uses lodash `defaults`). */
export function resolveIgnoreRules(ignore: TSessionConfig["ignore"], defaults: TIgnoreRules): TIgnoreRules {
  return {
    status: ignore?.status ?? defaults.status,
    groups: ignore?.groups ?? defaults.groups,
    channels: ignore?.channels ?? defaults.channels,
    broadcast: ignore?.broadcast ?? defaults.broadcast,
  };
}

/**
 * Whether events of this chat are dropped: `status@broadcast` (status), `*@g.us` (groups),
 * `*@newsletter` (channels), any other `*@broadcast` (broadcast lists). Server suffixes compare
 * case-insensitively; anything else (`@c.us`, `@lid`, ...) is never ignored.
 */
export function isIgnoredChat(chatId: string, rules: TIgnoreRules): boolean {
  const id = chatId.toLowerCase();
  if (id === "status@broadcast") return rules.status;
  if (id.endsWith("@g.us")) return rules.groups;
  if (id.endsWith("@newsletter")) return rules.channels;
  if (id.endsWith("@broadcast")) return rules.broadcast;
  return false;
}

/** Events that are about the session itself, never about a chat. */
const CHATLESS_EVENTS: ReadonlySet<TEventName> = new Set<TEventName>([
  "session.status",
  "state.change",
  "engine.event",
  "label.upsert",
  "label.deleted",
]);

/**
 * Best-effort chat id of an event payload in WAHA's shapes, for the ignore filter when the engine did
 * not pass one: `chatId`; for messages `fromMe ? to : from`; then `from`; group events' `group.id`;
 * then an `id` that is itself a chat id (presence.update, chat.archive). Null when there is none.
 */
export function findChatId(event: TEventName, payload: unknown): string | null {
  if (CHATLESS_EVENTS.has(event)) return null;
  if (typeof payload !== "object" || payload === null) return null;
  const p = payload as Record<string, unknown>;
  if (isJid(p.chatId)) return p.chatId;
  if (typeof p.fromMe === "boolean") {
    const chat = p.fromMe ? p.to : p.from;
    if (isJid(chat)) return chat;
  }
  if (isJid(p.from)) return p.from;
  const group = p.group as Record<string, unknown> | undefined;
  if (group && typeof group === "object" && isJid(group.id)) return group.id;
  if (isJid(p.id)) return p.id;
  return null;
}

function isJid(value: unknown): value is string {
  return typeof value === "string" && /^[^@\s_]+@[a-z.]+$/i.test(value);
}
