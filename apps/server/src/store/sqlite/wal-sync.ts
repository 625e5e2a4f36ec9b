import { closeSync, fdatasync, openSync } from 'node:fs';

/** Makes everything committed to the WAL so far durable; calls back once it is (or failed). */
export type WalSync = (done: (error: Error | null) => void) => void;

/**
 * `fdatasync` of the database's WAL on libuv's thread pool, so the event loop keeps serving
 * requests while the disk flushes. The connection runs with `synchronous = NORMAL` (COMMIT
 * writes the WAL without flushing it) and group commit acknowledges nothing before this has
 * returned: an acknowledged write is on stable storage exactly as with `synchronous = FULL`,
 * which would have flushed inside COMMIT with the event loop blocked. Checkpoints under NORMAL
 * flush the WAL before copying it and the database after, so the order on disk is kept.
 *
 * Flushes coalesce: while one is running, every group committed meanwhile waits for the next
 * one, and one flush covers them all (the WAL is append-only; flushing the file covers every
 * frame written before the call).
 */
export type WalFlusher = WalSync & { close: () => void };

export function walSyncFor(
  databaseFile: string,
  /** The flush itself; a test may hold it to observe what waits for it. */
  flush: (fd: number, done: (error: Error | null) => void) => void = fdatasync,
): WalFlusher {
  let fd: number | undefined;
  let running = false;
  let waiting: ((error: Error | null) => void)[] = [];

  const start = () => {
    const batch = waiting;
    waiting = [];
    running = true;
    const finish = (error: Error | null) => {
      running = false;
      for (const done of batch) done(error);
      if (waiting.length > 0) start();
    };
    try {
      // Opened on first use: SQLite creates the WAL with the first write. The descriptor stays
      // valid across checkpoints (the file is truncated, never replaced, while we hold the
      // database open).
      fd ??= openSync(`${databaseFile}-wal`, 'r');
    } catch (error) {
      finish(error as Error);
      return;
    }
    flush(fd, (error) => finish(error));
  };

  const sync = ((done) => {
    waiting.push(done);
    if (!running) start();
  }) as WalFlusher;
  sync.close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return sync;
}
