import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ANNOUNCE_EVERY_MS,
  interestWants,
  listening,
  NOTIFY_PAYLOAD_LIMIT,
  PeerLink,
  type PeerTransport,
  type TInterest,
  type TPeerPush,
} from "./peer-link";

/**
 * An in-memory NOTIFY channel: what one link sends reaches every link (its own included) in the order sent,
 * and a payload PostgreSQL would refuse (8000 bytes or more) fails the send.
 */
function memoryBus() {
  const payloadHandlers: ((payload: string) => void)[] = [];
  const stateHandlers: ((connected: boolean) => void)[] = [];
  const sent: string[] = [];
  let lose: (payload: string) => boolean = () => false;
  const transport: PeerTransport = {
    send: async (payloads) => {
      await Promise.resolve();
      for (const payload of payloads) if (Buffer.byteLength(payload) > NOTIFY_PAYLOAD_LIMIT) throw new Error("payload string too long");
      for (const payload of payloads) {
        sent.push(payload);
        if (!lose(payload)) for (const handler of payloadHandlers) handler(payload);
      }
    },
    onPayload: (handler) => void payloadHandlers.push(handler),
    onConnected: (handler) => void stateHandlers.push(handler),
  };
  return {
    transport,
    sent,
    connect: () => stateHandlers.forEach((handler) => handler(true)),
    losing: (filter: (payload: string) => boolean) => (lose = filter),
  };
}

let clock = 1_000_000;
const links: PeerLink[] = [];
afterEach(async () => {
  for (const link of links.splice(0)) await link.close();
});

function link(bus: ReturnType<typeof memoryBus>, interest: TInterest = { sockets: [], raw: [] }) {
  const state = { interest, received: [] as unknown[] };
  const logger = { warn: vi.fn(), error: vi.fn(), debug: vi.fn() };
  const peer = new PeerLink({
    transport: bus.transport,
    logger,
    interest: () => state.interest,
    deliver: (pushes) => state.received.push(...pushes),
    now: () => clock,
  });
  links.push(peer);
  return { peer, state, logger };
}

/** Connected, and an announcement period later: each link knows what the others listen to. */
async function settled(bus: ReturnType<typeof memoryBus>, ...all: { peer: PeerLink }[]) {
  bus.connect();
  clock += ANNOUNCE_EVERY_MS + 1_001;
  for (const { peer } of all) await peer.interestChanged();
}

const push = (session: string, body: string, name: TPeerPush["name"] = "engine.event"): TPeerPush => ({
  name,
  session,
  everyone: true,
  body,
});

describe("interestWants", () => {
  it("matches a session's room, `*` for pushes to everyone, and /ws clients for events only", () => {
    const sockets = listening({ sockets: ["s1"], raw: [] });
    expect(interestWants(sockets, "engine.event", "s1", true)).toBe(true);
    expect(interestWants(sockets, "engine.event", "s2", true)).toBe(false);
    const all = listening({ sockets: ["*"], raw: [] });
    expect(interestWants(all, "session.health", "s2", true)).toBe(true);
    expect(interestWants(all, "session.health", "s2", false)).toBe(false);
    const raw = listening({ sockets: [], raw: ["s1"] });
    expect(interestWants(raw, "event", "s1", true)).toBe(true);
    expect(interestWants(raw, "engine.event", "s1", true)).toBe(false);
    expect(interestWants(listening({ sockets: [], raw: ["*"] }), "event", "s9", true)).toBe(true);
  });
});

describe("PeerLink", () => {
  it("sends everything while it cannot know what peers listen to, then only what one of them does", async () => {
    const bus = memoryBus();
    const a = link(bus);
    const b = link(bus, { sockets: ["s1"], raw: [] });
    // Not connected yet, then connected for less than an announcement period: unsure.
    expect(a.peer.wanted("engine.event", "s2", true)).toBe(true);
    bus.connect();
    expect(a.peer.wanted("engine.event", "s2", true)).toBe(true);
    clock += ANNOUNCE_EVERY_MS + 1_001;
    await b.peer.interestChanged();
    expect(a.peer.wanted("engine.event", "s1", true)).toBe(true);
    expect(a.peer.wanted("engine.event", "s2", true)).toBe(false);

    // B's client subscribes to s2: A knows once B's announcement is sent.
    b.state.interest = { sockets: ["s1", "s2"], raw: [] };
    await b.peer.interestChanged();
    expect(a.peer.wanted("engine.event", "s2", true)).toBe(true);
    // B's clients leave: nothing more goes to B.
    b.state.interest = { sockets: [], raw: [] };
    await b.peer.interestChanged();
    expect(a.peer.wanted("engine.event", "s1", true)).toBe(false);

    // A's listener lost its connection: unsure again until an announcement period after it is back.
    b.state.interest = { sockets: [], raw: ["s3"] };
    bus.connect();
    expect(a.peer.wanted("engine.event", "s1", true)).toBe(true);
  });

  it("forgets a peer's interest when the peer has been silent for three announcement periods (it died)", async () => {
    const bus = memoryBus();
    const a = link(bus);
    const b = link(bus, { sockets: ["*"], raw: [] });
    await settled(bus, a, b);
    expect(a.peer.wanted("session.status", "s1", true)).toBe(true);
    clock += 3 * ANNOUNCE_EVERY_MS;
    expect(a.peer.wanted("session.status", "s1", true)).toBe(false);
  });

  it("says everything when its interest does not fit in one NOTIFY", async () => {
    const bus = memoryBus();
    const a = link(bus);
    const sessions = Array.from({ length: 1_000 }, (_, i) => `session-${i}`);
    const b = link(bus, { sockets: sessions, raw: [] });
    await settled(bus, a, b);
    expect(a.peer.wanted("engine.event", "never-subscribed", true)).toBe(true);
  });

  it("packs one turn's pushes into NOTIFYs under 8000 bytes, received in order", async () => {
    const bus = memoryBus();
    const a = link(bus, { sockets: ["*"], raw: [] });
    const b = link(bus, { sockets: ["*"], raw: [] });
    await settled(bus, a, b);
    const pushes = Array.from({ length: 300 }, (_, i) => push("s1", JSON.stringify({ i, text: "é".repeat(200) })));
    for (const p of pushes) a.peer.push(p);
    await vi.waitFor(() => expect(b.state.received).toHaveLength(300));
    expect(b.state.received).toEqual(pushes);
    const frames = bus.sent.filter((payload) => payload.includes('"pushes"'));
    expect(frames.length).toBeGreaterThan(10);
    expect(frames.length).toBeLessThan(50);
    expect(a.state.received).toEqual([]); // its own frames are not delivered to itself
  });

  it("sends a push too large for one NOTIFY in parts, in its place between the others", async () => {
    const bus = memoryBus();
    const a = link(bus, { sockets: ["*"], raw: [] });
    const b = link(bus, { sockets: ["*"], raw: [] });
    await settled(bus, a, b);
    const big = push("s1", JSON.stringify({ text: "x".repeat(30_000), accents: "é😀".repeat(5_000) }), "event");
    const sequence = [push("s1", "1"), big, push("s1", "2")];
    for (const p of sequence) a.peer.push(p);
    a.peer.push(push("s1", "3")); // same turn: still after the big one
    setImmediate(() => a.peer.push(push("s1", "4"))); // next turn
    await vi.waitFor(() => expect(b.state.received).toHaveLength(5));
    expect(b.state.received).toEqual([...sequence, push("s1", "3"), push("s1", "4")]);
    expect(bus.sent.filter((payload) => payload.includes('"part"')).length).toBeGreaterThan(10);
  });

  it("drops a large push whose parts were partly lost, and delivers what follows", async () => {
    const bus = memoryBus();
    const a = link(bus, { sockets: ["*"], raw: [] });
    const b = link(bus, { sockets: ["*"], raw: [] });
    await settled(bus, a, b);
    bus.losing((payload) => payload.includes('"part":[1,'));
    for (const p of [push("s1", "before"), push("s1", "y".repeat(20_000)), push("s1", "after")]) a.peer.push(p);
    await vi.waitFor(() => expect(b.state.received).toHaveLength(2));
    expect(b.state.received).toEqual([push("s1", "before"), push("s1", "after")]);
    expect(b.logger.debug).toHaveBeenCalledWith(
      expect.objectContaining({ expected: expect.any(Number) }),
      "frames from another worker were lost",
    );
  });

  it("drops what waited when a send fails, acknowledges a subscription anyway, and sends again once it can", async () => {
    const bus = memoryBus();
    const a = link(bus, { sockets: ["*"], raw: [] });
    const b = link(bus, { sockets: ["*"], raw: [] });
    await settled(bus, a, b);
    const send = bus.transport.send;
    let release: (() => void) | null = null;
    bus.transport.send = () => new Promise((_, reject) => (release = () => reject(new Error("connection lost"))));
    a.peer.push(push("s1", "lost-1"));
    await vi.waitFor(() => expect(release).not.toBeNull());
    a.peer.push(push("s1", "lost-2"));
    // A database that does not answer holds up no subscription for long.
    await a.peer.interestChanged();
    release!();
    bus.transport.send = send;
    await vi.waitFor(() =>
      expect(a.logger.warn).toHaveBeenCalledWith(
        expect.objectContaining({ frames: expect.any(Number) }),
        "live push across workers failed",
      ),
    );
    a.peer.push(push("s1", "after"));
    await vi.waitFor(() => expect(b.state.received).toEqual([push("s1", "after")]));
  });

  it("logs a frame that is not one and goes on", async () => {
    const bus = memoryBus();
    const b = link(bus, { sockets: ["*"], raw: [] });
    await bus.transport.send(["not json", JSON.stringify({ from: "x", seq: 0, what: 1 })]);
    expect(b.logger.error).toHaveBeenCalledTimes(2);
    await bus.transport.send([JSON.stringify({ from: "x", seq: 1, pushes: [push("s1", "ok")] })]);
    expect(b.state.received).toEqual([push("s1", "ok")]);
  });
});
