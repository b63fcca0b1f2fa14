/**
 * The port through which an engine keeps a session's login beyond this machine's disk, so the session can
 * start on another worker without a new QR (cluster mode; docs/cluster.md, "Portable sessions"). The
 * engine layer packs and unpacks the login; where it is stored, and who may write it, is decided above
 * it: the cluster's implementation is server/cluster/login-snapshots.ts.
 */
export interface LoginStore {
  /**
   * The store for one run of `session`, bound to the fencing token this worker holds for it now: once
   * another worker has claimed the session, this run's saves are refused.
   */
  forRun(session: string): SessionLoginStore;
  /** Forgets every stored copy of the session's login (logout, delete). */
  remove(session: string): Promise<void>;
}

export interface SessionLoginStore {
  /** The newest saved login's header; null when none is stored. */
  newest(): Promise<LoginSnapshotHeader | null>;
  /** The newest saved login with its bytes; null when none is stored. */
  load(): Promise<{ header: LoginSnapshotHeader; data: Buffer } | null>;
  /**
   * Stores a new snapshot of the login. Resolves with its header, or with null when the token is stale
   * (another worker owns the session now, or this one released it): then nothing was written.
   */
  save(snapshot: LoginSnapshotToSave): Promise<LoginSnapshotHeader | null>;
  /** Records a restore of `generation` and how long it took (shown per session). */
  recordRestore(generation: number, restoreMs: number): Promise<void>;
  /** The phone unlinked the device: the saved login is worth nothing any more. */
  remove(): Promise<void>;
}

export interface LoginSnapshotHeader {
  /** One login, from its first save until it is removed: a local copy of another login is never "as new". */
  loginId: string;
  /** Counts the saves of this login. */
  generation: number;
  sha256: string;
  /** Bytes of the packed snapshot. */
  size: number;
  savedAt: Date;
}

export interface LoginSnapshotToSave {
  data: Buffer;
  sha256: string;
  files: number;
  /** How long packing took; the store adds its own write time to make the save's duration. */
  packMs: number;
}
