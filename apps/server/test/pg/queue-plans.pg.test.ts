import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgStore, type PgStore } from '../../src/store/pg/pg-store.ts';
import { pgTestData } from '../../src/store/pg/test-data.ts';
import { charge, newUser } from '../store/contract/fixtures.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

/**
 * A queue table is usually empty when ANALYZE looks at it, so the planner believes any scan of
 * queued jobs returns one row. The charge's per-user checks must not then read everybody's
 * queue, nor the claim read and sort all of it: each would cost as much as the whole backlog,
 * right when a burst builds one.
 * Measured from PostgreSQL's own counters of index entries read, on one connection, so the
 * plan its cache holds is the one every charge uses. (The claim's guard did not fail here
 * without its planner settings; the bench's claims, 9 ms each before them, did.)
 */
describe('PostgreSQL: the charge after ANALYZE saw an empty queue', () => {
  let database: TestDatabase;
  let store: PgStore;
  let owner: pg.Client;
  const users: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    store = openPgStore({ connectionString: database.appUrl, max: 1 });
    owner = new pg.Client({ connectionString: database.ownerUrl });
    await owner.connect();
    const data = pgTestData(store);
    for (let i = 0; i < 20; i++) {
      const id = await newUser(store);
      await data.grantCredits({ userId: id, amount: 10_000 });
      users.push(id);
    }
    // A history of rendered videos, and the statistics of a drained queue.
    await owner.query(
      `INSERT INTO video_generations (id, user_id, status, prompt, duration_minutes, resolution,
         custom_music, premium_tts, ai_enhancement, credits_used, created_at, updated_at,
         completed_at, fair_round, user_seq)
       SELECT 'done-' || g || '-' || u.id, u.id, 'completed', 'p', 1, '720p', 0, 0, 0, 5, $1, $1, $1, g, g
         FROM generate_series(1, 200) g CROSS JOIN users u`,
      [new Date(Date.UTC(2026, 0, 1)).toISOString()],
    );
    await owner.query('ANALYZE video_generations');
  });

  afterAll(async () => {
    await owner?.end();
    await store?.close();
    await database?.drop();
  });

  const indexEntriesRead = async () => {
    // This connection's counters reach the shared statistics once it is idle again.
    await store.pool.query('SELECT pg_stat_force_next_flush()');
    await store.pool.query('SELECT 1');
    const { rows } = await owner.query<{ n: string }>(
      `SELECT COALESCE(SUM(idx_tup_read), 0) AS n FROM pg_stat_user_indexes
         WHERE relname = 'video_generations'`,
    );
    return Number(rows[0]!.n);
  };

  const claimNext = (maxRunningPerUser: number) =>
    store.claimVideo({
      owner: 'plans',
      leaseMs: 60_000,
      now: new Date().toISOString(),
      maxRunningPerUser,
    });

  it('reads only the charging user\u2019s queued videos, not the whole backlog', async () => {
    // A burst: 50 videos queued for each of 20 users.
    for (let round = 0; round < 50; round++) {
      for (const userId of users) {
        expect((await store.chargeAndCreateVideo(charge(userId, 1))).kind).toBe('created');
      }
    }
    const before = await indexEntriesRead();
    for (const userId of users) await store.chargeAndCreateVideo(charge(userId, 1));
    const perCharge = ((await indexEntriesRead()) - before) / users.length;
    // Its own 50 queued videos once (the count up to the cap), then one entry for each of the
    // other lookups: the latest round comes from the end of an index, not from every queued
    // video again (that was 100 and more). The whole backlog is 1,000.
    expect(perCharge).toBeLessThan(60);
  });

  it('claims the next job in order without reading and sorting the whole backlog', async () => {
    const before = await indexEntriesRead();
    for (let i = 0; i < 5; i++) {
      expect((await claimNext(1))?.status).toBe('processing');
    }
    // The head of the queue and each candidate's running count; the backlog is 1,000.
    expect(((await indexEntriesRead()) - before) / 5).toBeLessThan(100);
  });

  it('finds the highest round being rendered from the end of an index, not every render', async () => {
    // A hundred renders at once (several instances' workers): the charge's fair-queue
    // frontier is the highest round among them.
    for (let i = 0; i < 100; i++) {
      expect((await claimNext(1_000))?.status).toBe('processing');
    }
    const fresh = await newUser(store);
    await pgTestData(store).grantCredits({ userId: fresh, amount: 100 });
    const before = await indexEntriesRead();
    expect((await store.chargeAndCreateVideo(charge(fresh, 1))).kind).toBe('created');
    // Nothing queued or rendering of the user's own, and one entry for the frontier; reading
    // every render was 100.
    expect((await indexEntriesRead()) - before).toBeLessThan(10);
  });
});
