import type { IRateLimiterOptions, RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AdminStore } from '../admin-types.ts';

export interface InvariantViolation {
  invariant: string;
  message: string;
}

export type LimiterFactory = (
  options: IRateLimiterOptions & { keyPrefix: string },
) => RateLimiterAbstract;

export interface VideoEventListener {
  onVideo: (videoId: string) => void;
  onQueued: () => void;
  onGap: () => void;
}

export type DriverErrorKind = 'busy' | 'full' | 'unavailable';

export interface OperationalGauges {
  videosQueued: number;
  videosProcessing: number;
  mailBacklog: number;
}

/** A job that must not run on two instances at once. */
export interface ExclusivelyInput<T> {
  name: string;
  run: () => Promise<T>;
}

/** What operators and the process around the domain need: life cycle, health, coordination. */
export interface OperationsStore {
  close(): Promise<void>;
  /** The support console's operations (admin-types.ts). */
  readonly admin: AdminStore;
  verifyInvariants(): Promise<InvariantViolation[]>;

  /** A real, harmless write through the write path (readiness: is the database writable?). */
  probeWrite(): Promise<void>;
  /** The backlogs operators watch: videos waiting and rendering, mails not yet sent. */
  operationalGauges(): Promise<OperationalGauges>;
  /**
   * Video changes made by other instances (PostgreSQL LISTEN/NOTIFY, sent inside the writing
   * transaction so they arrive only once committed): a video changed (its id) or was queued.
   * `onGap`: the feed was interrupted and may have missed some; re-read what matters. One
   * process (SQLite) has no other instance: the listener is never called. Returns `stop`.
   */
  listenVideoEvents(listener: VideoEventListener): Promise<() => Promise<void>>;
  /**
   * Runs `fn` unless another instance is running the job called `name` right now (then
   * returns null). PostgreSQL: a session advisory lock held for the run; one process
   * (SQLite): always runs.
   */
  exclusively<T>(input: ExclusivelyInput<T>): Promise<T | null>;
  /**
   * A rate limiter whose counters every instance sharing this database sees (PostgreSQL: an
   * UNLOGGED table, with an in-memory limiter as insurance while the database is away); one
   * process (SQLite): in memory.
   */
  rateLimiter: LimiterFactory;
  /** Called with every locked/full/unavailable driver failure, before it becomes a typed error. */
  observeDriverErrors(listener: (kind: DriverErrorKind) => void): void;
}
