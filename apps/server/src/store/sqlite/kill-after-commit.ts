import type { Db } from './open.ts';

/**
 * Test-only (config.ts accepts it only with NODE_ENV=test): SIGKILL this process right after
 * the COMMIT of its `count`-th group that appended to the ledger, before any member of that
 * group is answered. This is the window durability must cover: the write is committed, the
 * client never heard so and will retry. Only ledger-writing groups count, so that video
 * worker bookkeeping and start-up housekeeping cannot take the place of a money write.
 */
export function killAfterLedgerCommits(db: Db, count: number): () => void {
  const lastEntry = db.prepare('SELECT COALESCE(MAX(id), 0) FROM transactions').pluck();
  let seen = lastEntry.get() as number;
  let remaining = count;
  return () => {
    const latest = lastEntry.get() as number;
    if (latest === seen) return;
    seen = latest;
    remaining -= 1;
    if (remaining === 0) process.kill(process.pid, 'SIGKILL');
  };
}
