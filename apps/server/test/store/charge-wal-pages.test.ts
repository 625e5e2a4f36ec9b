import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.ts';
import { migrate, openDatabase, seedPackages, type Db } from '../../src/store/sqlite/open.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { charge, newUser } from './contract/fixtures.ts';

/**
 * What a group COMMIT writes to the WAL (and, at FULL, flushes before anyone is answered)
 * is every page its charges dirtied, and a checkpoint later copies each of them again. Pages
 * shared by the group (the ends of the tables and of time-ordered indexes) cost a group once;
 * every index keyed by user costs each charge a page of its own, in that user's part of the
 * index. Measured here as the bench drives generate: 50 users, groups of 20 charges, once
 * the indexes are large enough that users no longer share their leaf pages.
 *
 * Before migration 15: 9.7 pages per charge. After it: about 7.5.
 */

const USERS = 50;
const GROUP = 20;
const WARM_UP_GROUPS = 150;
const MEASURED_GROUPS = 60;

const dir = mkdtempSync(path.join(tmpdir(), 'credit-wal-pages-'));
const file = path.join(dir, 'charges.db');
let db: Db;
let store: SqliteStore;
const users: string[] = [];

beforeAll(async () => {
  db = openDatabase(file);
  migrate(db);
  seedPackages(db);
  // No checkpoint may empty the WAL while it is measured (no checkpointer thread either).
  db.pragma('wal_autocheckpoint = 0');
  store = new SqliteStore(db);
  for (let i = 0; i < USERS; i++) users.push(await newUser(store, 1_000_000));
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

let turn = 0;
/** One group commit: GROUP charges requested in one event-loop turn, spread over the users. */
async function chargeGroup() {
  const results = await Promise.all(
    Array.from({ length: GROUP }, () => {
      const userId = users[(turn++ * 7) % USERS]!;
      const input = charge(userId, 5, { key: randomUUID() });
      // The server's own ids: time-ordered, so they land at the end of their indexes.
      return store.chargeAndCreateVideo({
        ...input,
        maxQueued: 1_000_000,
        video: { ...input.video, id: newId() },
      });
    }),
  );
  expect(results.every((r) => r.kind === 'created')).toBe(true);
}

describe('a charge in a group commit', () => {
  it('dirties fewer than 8.5 WAL pages (9.7 with two redundant per-user indexes)', async () => {
    for (let g = 0; g < WARM_UP_GROUPS; g++) await chargeGroup();
    const frameBytes = (db.pragma('page_size', { simple: true }) as number) + 24;
    const before = statSync(`${file}-wal`).size;
    for (let g = 0; g < MEASURED_GROUPS; g++) await chargeGroup();
    const pagesPerCharge =
      (statSync(`${file}-wal`).size - before) / frameBytes / (MEASURED_GROUPS * GROUP);
    expect(pagesPerCharge).toBeGreaterThan(3);
    expect(pagesPerCharge).toBeLessThan(8.5);
  });
});
