import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Logger } from "pino";
import { z } from "zod";
import { ALL_SESSIONS, SERVER_MESSAGES, type TServerMessageName } from "@/lib/realtime-messages";

/** The PostgreSQL channel that carries live pushes and interest between workers (docs/cluster.md). */
export const PUSH_CHANNEL = "sb_push";

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (its default build). */
export const NOTIFY_PAYLOAD_LIMIT = 7999;

/** Bytes of a too-large push per `part` frame: base64 makes them 4/3 as many, well under the limit with the header. */
const PART_BYTES = 5_000;

/** How often each worker tells the others what its clients listen to (and how long that is believed). */
export const ANNOUNCE_EVERY_MS = 5_000;
const INTEREST_TTL_MS = 3 * ANNOUNCE_EVERY_MS;
/** The longest a subscription's acknowledgement waits for its announcement to be sent. */
const ANNOUNCE_WAIT_MS = 1_000;

/**
 * One message pushed by a worker, as its peers need it: the JSON a Socket.IO client would get (`body`),
 * checked again against its schema by the worker receiving it.
 */
export const ZPeerPushSchema = z.object({
  name: z.enum(Object.keys(SERVER_MESSAGES) as [TServerMessageName, ...TServerMessageName[]]),
  session: z.string(),
  /** Also to `*` subscribers (false: the session's room only). */
  everyone: z.boolean(),
  body: z.string(),
});
export type TPeerPush = z.infer<typeof ZPeerPushSchema>;

/**
 * What a worker's clients listen to: the sessions (or `*`) its Socket.IO clients subscribed to, and the
 * sessions (or `*`) of its raw /ws clients, which get `event` messages only.
 */
export const ZInterestSchema = z.object({ sockets: z.array(z.string()), raw: z.array(z.string()) });
export type TInterest = z.infer<typeof ZInterestSchema>;

/** Said when the real interest does not fit in one NOTIFY: everything. */
const EVERYTHING: TInterest = { sockets: [ALL_SESSIONS], raw: [ALL_SESSIONS] };

/**
 * One NOTIFY on PUSH_CHANNEL. `from` is the sending process (a fresh id per start), `seq` counts its frames
 * from 0: PostgreSQL delivers one connection's NOTIFYs in the order they were committed, so a gap means
 * frames were lost (the listener was down). A push too large for one NOTIFY travels as consecutive `part`
 * frames holding its JSON's UTF-8 bytes in base64, in the same stream, so it keeps its place in the order.
 */
const ZFrameSchema = z.union([
  z.object({ from: z.string(), seq: z.number().int(), pushes: z.array(z.unknown()) }),
  z.object({ from: z.string(), seq: z.number().int(), part: z.tuple([z.number().int(), z.number().int()]), data: z.string() }),
  z.object({ from: z.string(), seq: z.number().int(), interest: ZInterestSchema }),
]);

/** How frames leave and arrive: PostgreSQL in production (pgPeerTransport), memory in unit tests. */
export interface PeerTransport {
  /** Sends the payloads in this order, each under NOTIFY_PAYLOAD_LIMIT bytes (one round trip). */
  send(payloads: string[]): Promise<void>;
  /** Every payload sent on the channel, this worker's own included, in the order committed. */
  onPayload(handler: (payload: string) => void): void;
  /** Whether payloads are being heard now: what was sent while not connected is lost. */
  onConnected(handler: (connected: boolean) => void): void;
}

/** The slice of PgListener the transport needs. */
export interface NotificationSource {
  on(channel: string, handler: (payload: string) => void): unknown;
  onStateChange(handler: (state: "connected" | "disconnected") => void): unknown;
}

/**
 * PUSH_CHANNEL on PostgreSQL: heard through the worker's LISTEN connection (PgListener, which reconnects by
 * itself); sent through `pool`, a pool of one connection, so one worker's frames are committed in order.
 * One statement per batch of frames: unnest keeps the array's order, and NOTIFYs of one transaction are
 * delivered in the order they were made.
 */
export function pgPeerTransport(pool: pg.Pool, listener: NotificationSource): PeerTransport {
  return {
    send: async (payloads) => {
      await pool.query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS frame(payload, n) ORDER BY n", [
        PUSH_CHANNEL,
        payloads,
      ]);
    },
    onPayload: (handler) => void listener.on(PUSH_CHANNEL, handler),
    onConnected: (handler) => void listener.onStateChange((state) => handler(state === "connected")),
  };
}

/** A peer's interest as kept by the others: sets, looked up for every push. */
export interface Listening {
  sockets: ReadonlySet<string>;
  raw: ReadonlySet<string>;
}

export const listening = (interest: TInterest): Listening => ({ sockets: new Set(interest.sockets), raw: new Set(interest.raw) });

/** Whether a worker whose clients listen to `interest` delivers this push to any of them. */
export function interestWants(interest: Listening, name: TServerMessageName, session: string, everyone: boolean): boolean {
  if (interest.sockets.has(session) || (everyone && interest.sockets.has(ALL_SESSIONS))) return true;
  return name === "event" && (interest.raw.has(session) || interest.raw.has(ALL_SESSIONS));
}

interface PeerState {
  interest: Listening | null;
  heardAt: number;
  nextSeq: number;
  /** The parts of a too-large push received so far, while it is being received. */
  parts: Buffer[] | null;
}

/**
 * Live push between workers over one NOTIFY channel. Each worker tells the others what its clients listen
 * to (at once when that changes, and every ANNOUNCE_EVERY_MS), and sends a push to its peers only when one of
 * them listens to it. When it cannot be sure what they listen to (its own listener down, or connected for
 * less than an announcement period), it sends everything. Pushes of one turn of the event loop leave
 * together, packed into NOTIFYs under 8000 bytes; every frame of a worker goes out on one connection, in
 * order, and its peers process them in that order.
 */
export class PeerLink {
  private readonly id = randomUUID();
  /** How every frame of this link begins (both ways of writing one): its own come back on the channel, unread. */
  private readonly ownFramePrefix = `{"from":${JSON.stringify(this.id)},`;
  private seq = 0;
  private readonly peers = new Map<string, PeerState>();
  /** Serialized pushes of this turn, waiting to be packed into frames. */
  private pending: string[] = [];
  /** Frames waiting for the connection, in order. */
  private outbox: string[] = [];
  private sending: Promise<void> | null = null;
  /** Until then (or while not connected), peers' interest is not fully known: every push goes out. */
  private unsureUntil = Infinity;
  private announceScheduled: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly options: {
      transport: PeerTransport;
      logger: Pick<Logger, "warn" | "error" | "debug">;
      /** What this worker's clients listen to now. */
      interest: () => TInterest;
      /** Another worker's pushes, in its order (each still to be checked against its message schema). */
      deliver: (pushes: unknown[]) => void;
      now?: () => number;
    },
  ) {
    options.transport.onPayload((payload) => this.receive(payload));
    options.transport.onConnected((connected) => {
      // What peers said while we were not listening is lost: forget it, send everything for one period.
      this.peers.clear();
      this.unsureUntil = connected ? this.now() + ANNOUNCE_EVERY_MS + 1_000 : Infinity;
      if (connected) void this.announce();
    });
    this.timer = setInterval(() => void this.announce(), ANNOUNCE_EVERY_MS);
    this.timer.unref();
  }

  /** Whether any other worker may deliver this push (true whenever that is not known for sure). */
  wanted(name: TServerMessageName, session: string, everyone: boolean): boolean {
    const now = this.now();
    if (now < this.unsureUntil) return true;
    for (const peer of this.peers.values()) {
      if (peer.interest && now - peer.heardAt < INTEREST_TTL_MS && interestWants(peer.interest, name, session, everyone)) return true;
    }
    return false;
  }

  /** Queues a push for the peers; everything queued in this turn of the event loop leaves together. */
  push(push: TPeerPush): void {
    if (this.closed) return;
    if (this.pending.length === 0) setImmediate(() => this.flush());
    this.pending.push(JSON.stringify(push));
  }

  /**
   * This worker's interest changed: tells the peers (once per turn however many changes). Resolves when the
   * announcement has been sent (or failed), so a subscription can be acknowledged once peers know of it;
   * after ANNOUNCE_WAIT_MS at most, so a database that does not answer holds up no subscription.
   */
  interestChanged(): Promise<void> {
    this.announceScheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.announceScheduled = null;
      return this.announce();
    });
    let timeout: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timeout = setTimeout(resolve, ANNOUNCE_WAIT_MS)));
    return Promise.race([this.announceScheduled, waited]).finally(() => clearTimeout(timeout));
  }

  /**
   * Sends what is queued, then tells the peers this worker's clients listen to nothing more; waits at most
   * `waitMs` for that (a database that does not answer must not hold up a shutdown).
   */
  async close(waitMs = 2_000): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    this.enqueue({ interest: { sockets: [], raw: [] } });
    this.closed = true;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([this.drain(), new Promise((resolve) => (timeout = setTimeout(resolve, waitMs)))]);
    clearTimeout(timeout);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private announce(): Promise<void> {
    if (this.closed) return Promise.resolve();
    for (const [id, peer] of this.peers) if (this.now() - peer.heardAt > INTEREST_TTL_MS) this.peers.delete(id);
    // Pushes queued before the change go first: the order of everything this worker sends is kept.
    this.flush();
    let interest = this.options.interest();
    if (Buffer.byteLength(this.frame({ interest })) > NOTIFY_PAYLOAD_LIMIT) interest = EVERYTHING;
    this.enqueue({ interest });
    return this.drain();
  }

  private flush(): void {
    const pushes = this.pending;
    if (pushes.length === 0) return;
    this.pending = [];
    let packed: string[] = [];
    let size = 0;
    const frameOverhead = Buffer.byteLength(this.frame({ pushes: [] })) + 12; // the seq may grow by a few digits
    const close = () => {
      if (packed.length) this.enqueueRaw(`{"from":${JSON.stringify(this.id)},"seq":${this.seq++},"pushes":[${packed.join(",")}]}`);
      packed = [];
      size = 0;
    };
    for (const push of pushes) {
      const bytes = Buffer.byteLength(push) + 1;
      if (frameOverhead + bytes > NOTIFY_PAYLOAD_LIMIT) {
        close();
        this.enqueueParts(Buffer.from(push));
        continue;
      }
      if (frameOverhead + size + bytes > NOTIFY_PAYLOAD_LIMIT) close();
      packed.push(push);
      size += bytes;
    }
    close();
    void this.drain();
  }

  /** One push too large for a NOTIFY: consecutive frames of its bytes, right where it belongs in the order. */
  private enqueueParts(bytes: Buffer): void {
    const count = Math.ceil(bytes.length / PART_BYTES);
    for (let index = 0; index < count; index++) {
      this.enqueue({ part: [index, count], data: bytes.subarray(index * PART_BYTES, (index + 1) * PART_BYTES).toString("base64") });
    }
  }

  private frame(body: Record<string, unknown>): string {
    return JSON.stringify({ from: this.id, seq: this.seq, ...body });
  }

  private enqueue(body: Record<string, unknown>): void {
    this.enqueueRaw(this.frame(body));
    this.seq++;
  }

  private enqueueRaw(frame: string): void {
    this.outbox.push(frame);
  }

  /** Sends the outbox on the one connection, a batch per round trip, until it is empty. */
  private drain(): Promise<void> {
    this.sending ??= (async () => {
      while (this.outbox.length) {
        const frames = this.outbox.splice(0, 1_000);
        try {
          await this.options.transport.send(frames);
        } catch (error) {
          // Lost, as a NOTIFY is while a peer is not listening; peers see the gap in `seq`. What waited
          // meanwhile goes too, so a database that is down holds no growing queue here.
          const lost = frames.length + this.outbox.splice(0).length;
          this.options.logger.warn({ err: error, frames: lost }, "live push across workers failed");
        }
      }
      this.sending = null;
    })();
    return this.sending;
  }

  private receive(payload: string): void {
    if (payload.startsWith(this.ownFramePrefix)) return;
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      json = undefined;
    }
    const parsed = ZFrameSchema.safeParse(json);
    if (!parsed.success) {
      this.options.logger.error({ issues: parsed.error.issues.length }, "a frame from another worker dropped: not in the expected form");
      return;
    }
    const frame = parsed.data;
    let peer = this.peers.get(frame.from);
    if (!peer) {
      peer = { interest: null, heardAt: this.now(), nextSeq: frame.seq, parts: null };
      this.peers.set(frame.from, peer);
    }
    if (frame.seq !== peer.nextSeq) {
      this.options.logger.debug({ peer: frame.from, expected: peer.nextSeq, got: frame.seq }, "frames from another worker were lost");
      peer.parts = null;
    }
    peer.nextSeq = frame.seq + 1;
    peer.heardAt = this.now();
    if ("interest" in frame) {
      peer.interest = listening(frame.interest);
    } else if ("pushes" in frame) {
      this.options.deliver(frame.pushes);
    } else {
      const [index, count] = frame.part;
      if (index === 0) peer.parts = [];
      if (!peer.parts || peer.parts.length !== index) {
        peer.parts = null; // its start was lost
        return;
      }
      peer.parts.push(Buffer.from(frame.data, "base64"));
      if (peer.parts.length < count) return;
      const whole = Buffer.concat(peer.parts).toString("utf8");
      peer.parts = null;
      let push: unknown;
      try {
        push = JSON.parse(whole);
      } catch {
        push = whole; // delivered as is: the receiver's check drops it
      }
      this.options.deliver([push]);
    }
  }
}
