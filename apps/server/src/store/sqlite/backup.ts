import type { Db } from './open.ts';

/**
 * A consistent copy of a live database through SQLite's online backup API: pages are copied
 * in small steps between event-loop turns, writers keep going, and the copy is the database
 * as of one instant (the backup restarts by itself if a write lands in a copied page).
 */
export async function onlineBackup(db: Db, target: string): Promise<void> {
  await db.backup(target, {
    // About 4 MB a step: short enough not to stall requests, long enough to finish.
    progress: () => 1000,
  });
}
