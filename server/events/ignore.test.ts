import { describe, expect, it } from "vitest";
import { NO_IGNORE, findChatId, isIgnoredChat, resolveIgnoreRules } from "./ignore";

const all = { status: true, groups: true, channels: true, broadcast: true };

describe("isIgnoredChat", () => {
  it.each([
    ["status@broadcast", "status"],
    ["120363025246125486@g.us", "groups"],
    ["120363170000000000@newsletter", "channels"],
    ["1234567890@broadcast", "broadcast"],
  ] as const)("%s is ignored only by %s", (chatId, rule) => {
    expect(isIgnoredChat(chatId, NO_IGNORE)).toBe(false);
    expect(isIgnoredChat(chatId, { ...NO_IGNORE, [rule]: true })).toBe(true);
    expect(isIgnoredChat(chatId, { ...all, [rule]: false })).toBe(false);
  });

  it("never ignores people", () => {
    for (const chatId of ["111111111@c.us", "222@lid", "333@s.whatsapp.net"]) expect(isIgnoredChat(chatId, all)).toBe(false);
  });

  it("status@broadcast is not a broadcast list", () => {
    expect(isIgnoredChat("status@broadcast", { ...NO_IGNORE, broadcast: true })).toBe(false);
  });

  it("compares the server part case-insensitively", () => {
    expect(isIgnoredChat("1@G.US", { ...NO_IGNORE, groups: true })).toBe(true);
  });
});

describe("resolveIgnoreRules", () => {
  it("falls back per field to the env defaults", () => {
    const defaults = { status: true, groups: false, channels: true, broadcast: false };
    expect(resolveIgnoreRules(undefined, defaults)).toEqual(defaults);
    expect(resolveIgnoreRules({ status: false, groups: true, channels: null }, defaults)).toEqual({
      status: false,
      groups: true,
      channels: true,
      broadcast: false,
    });
  });
});

describe("findChatId", () => {
  it("uses the other side of a message", () => {
    expect(findChatId("message", { from: "1@c.us", to: "2@c.us", fromMe: false })).toBe("1@c.us");
    expect(findChatId("message.any", { from: "2@c.us", to: "3@g.us", fromMe: true })).toBe("3@g.us");
    expect(findChatId("message.ack", { id: "true_3@g.us_ABC", from: "2@c.us", to: "3@g.us", fromMe: true })).toBe("3@g.us");
  });

  it("finds chatId, group.id and a chat-shaped id", () => {
    expect(findChatId("label.chat.added", { labelId: "1", chatId: "9@g.us" })).toBe("9@g.us");
    expect(findChatId("group.v2.join", { group: { id: "5@g.us" } })).toBe("5@g.us");
    expect(findChatId("presence.update", { id: "7@c.us", presences: [] })).toBe("7@c.us");
    expect(findChatId("message.revoked", { id: "false_1@c.us_X" })).toBeNull();
  });

  it("returns null for session-level events", () => {
    expect(findChatId("session.status", { from: "status@broadcast" })).toBeNull();
    expect(findChatId("engine.event", { event: "x", data: { from: "1@g.us" } })).toBeNull();
    expect(findChatId("message", null)).toBeNull();
  });
});
