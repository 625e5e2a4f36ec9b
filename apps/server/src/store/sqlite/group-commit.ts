import { walFlushFailed } from './errors.ts';
import type { Db } from './open.ts';
import { statement } from './statements.ts';
import type { WalSync } from './wal-sync.ts';

// Captured at load: tests that fake timers must not be able to stall every write.
const defer = globalThis.setImmediate.bind(globalThis);

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit. Write transactions requested during one turn of the event loop run together
 * in a single SQLite transaction, each inside its own savepoint, and are acknowledged only
 * after the shared COMMIT. Each one is still atomic on its own (a failure rolls back only
 * its savepoint) and none is acknowledged before it is durable; what is shared is the cost
 * of BEGIN, of COMMIT and of writing the touched pages to the WAL, which dominates short
 * transactions such as a charge.
 *
 * If SQLite abandons the whole transaction (disk full, I/O error) or the COMMIT fails,
 * every member of the group is rejected: none of them was written.
 *
 * With `syncWal` (SQLITE_SYNCHRONOUS=durable, see wal-sync.ts) the flush to stable storage happens
 * after COMMIT on another thread, and members are acknowledged only once it has returned;
 * meanwhile the next group may already run. A failed flush means the disk may not hold what
 * was committed: the group is rejected and every later write refused until a restart (as
 * PostgreSQL does), because retrying an fsync can report success for lost data.
 */
export interface GroupCommitOptions {
  /** Runs after each COMMIT and before any member is acknowledged (the D1 crash test's hook). */
  afterCommit?: () => void;
  syncWal?: WalSync;
  /** Told once per failed flush (logged and counted by the caller). */
  onSyncFailure?: (error: Error) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private unsyncedGroups = 0;
  private commitAfterSync = false;
  private drainedListeners: (() => void)[] = [];
  private syncFailure: unknown;

  constructor(
    private readonly db: Db,
    private readonly translateError: (err: unknown) => unknown,
    private readonly options: GroupCommitOptions = {},
  ) {}

  run<T>(work: () => T): Promise<T> {
    if (this.syncFailure !== undefined) return Promise.reject(this.syncFailure);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        defer(() => this.flush());
      }
    });
  }

  /** Runs whatever is queued now (also called before the database closes). */
  flush(): void {
    this.scheduled = false;
    // While the disk flushes, new writes gather instead of committing in small groups: one
    // COMMIT (and one flush) after it then covers them all, as a blocking FULL commit would
    // batch them, but the event loop keeps parsing, authenticating and reading meanwhile.
    if (this.options.syncWal && this.unsyncedGroups > 0) {
      this.commitAfterSync = true;
      return;
    }
    if (this.syncFailure !== undefined) {
      for (const p of this.queue.splice(0)) p.reject(this.syncFailure);
      return;
    }
    const group = this.queue;
    if (group.length === 0) return;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      // IMMEDIATE takes the write lock up front, so another process writing at the same time
      // makes this wait on busy_timeout instead of failing on a lock upgrade.
      outcomes = this.db.transaction(() => group.map((p) => this.inSavepoint(p.work))).immediate();
    } catch (err) {
      const error = this.translateError(err);
      for (const p of group) p.reject(error);
      return;
    }
    this.options.afterCommit?.();
    const acknowledge = () =>
      group.forEach((p, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) p.resolve(outcome.value);
        else p.reject(this.translateError(outcome.error));
      });
    const syncWal = this.options.syncWal;
    if (!syncWal) {
      acknowledge();
      return;
    }
    this.unsyncedGroups += 1;
    syncWal((error) => {
      this.unsyncedGroups -= 1;
      if (error) {
        this.syncFailure ??= walFlushFailed(error);
        this.options.onSyncFailure?.(error);
        for (const p of group) p.reject(this.syncFailure);
      } else {
        acknowledge();
      }
      if (this.unsyncedGroups > 0) return;
      if (this.commitAfterSync) {
        this.commitAfterSync = false;
        this.flush();
      }
      if (this.unsyncedGroups === 0) {
        for (const listener of this.drainedListeners.splice(0)) listener();
      }
    });
  }

  /** Commits what is queued and waits until every committed group is on stable storage. */
  async drain(): Promise<void> {
    for (;;) {
      this.flush();
      if (this.unsyncedGroups === 0 && this.queue.length === 0) return;
      await new Promise<void>((resolve) => this.drainedListeners.push(resolve));
    }
  }

  private inSavepoint(work: () => unknown): Outcome {
    statement(this.db, 'SAVEPOINT group_member').run();
    try {
      const value = work();
      statement(this.db, 'RELEASE group_member').run();
      return { ok: true, value };
    } catch (error) {
      // SQLite may have rolled back the whole transaction (SQLITE_FULL, I/O errors): then
      // nothing of the group survives and the whole group must fail.
      if (!this.db.inTransaction) throw error;
      statement(this.db, 'ROLLBACK TO group_member').run();
      statement(this.db, 'RELEASE group_member').run();
      return { ok: false, error };
    }
  }
}
