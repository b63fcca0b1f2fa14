import type { SessionRoute } from "./session-owners";

/** A remote owner is believed for this much less than its lease had left when it was read. */
const LEASE_MARGIN_MS = 500;
/** Sessions whose routes are kept at most; past that the map starts over (a hot set refills it at once). */
const MAX_ROUTES = 10_000;

interface KeptRoute {
  owner: NonNullable<SessionRoute["owner"]>;
  /** now() time after which the owner's lease, as read, may have lapsed. */
  until: number;
}

/**
 * Which other worker runs each session, as last read from the database, so that a command forwarded to it
 * does not ask the database first (docs/cluster.md, "Routing"). An entry goes when the session's owner row
 * changes (sb_owner), when any worker changes (sb_worker), when its owner does not answer, and before the
 * owner's lease as read could lapse, so a paused or killed owner is not believed longer than the database
 * would believe it. While the LISTEN connection is down nothing is kept: a change made meanwhile would go
 * unheard. A route that is stale anyway costs one round trip more: the worker it names answers 409
 * `owner_changed` and the forwarder reads the database again.
 */
export class OwnerRoutes {
  private readonly routes = new Map<string, KeptRoute>();
  /** Bumped by every change heard, so a read that overlapped one never keeps what it saw. */
  private generation = 0;
  private listening = false;

  constructor(
    private readonly workerId: string,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The session's route: a kept remote owner, or load() (kept when it names another live worker). */
  async routeOf(session: string, load: () => Promise<SessionRoute | null>): Promise<SessionRoute | null> {
    const kept = this.routes.get(session);
    if (kept && kept.until > this.now()) return { running: true, owner: kept.owner, leaseLeftMs: 0 };
    if (kept) this.routes.delete(session);
    const generation = this.generation;
    const startedAt = this.now();
    const route = await load();
    const owner = route?.owner;
    if (this.listening && generation === this.generation && owner && owner.workerId !== this.workerId) {
      const until = startedAt + owner.leaseLeftMs - LEASE_MARGIN_MS;
      if (until > this.now()) {
        if (this.routes.size >= MAX_ROUTES) this.routes.clear();
        this.routes.set(session, { owner, until });
      }
    }
    return route;
  }

  /** The session's owner row changed (sb_owner), or its kept owner did not answer. */
  forget(session: string): void {
    this.generation++;
    this.routes.delete(session);
  }

  /** A worker joined, left, or changed its url, incarnation or draining (sb_worker). */
  forgetAll(): void {
    this.generation++;
    this.routes.clear();
  }

  /** Whether changes are being heard now (the LISTEN connection's state): until then nothing is kept. */
  setListening(listening: boolean): void {
    this.listening = listening;
    this.forgetAll();
  }
}
