import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pruneExpiredIdempotencyKeys } from '../src/services/idempotency/prune-expired-keys.ts';
import { schedulePruning } from '../src/services/pruning/schedule-pruning.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ IDEMPOTENCY_KEY_TTL_HOURS: '24' });
});
afterEach(async () => h.assertInvariants());
afterAll(async () => h.close());

const video = { prompt: 'A lighthouse at dusk', durationMinutes: 1, resolution: '720p' };
const HOUR = 3_600_000;

/** Test fixture: pretend a record was written `hours` ago. */
function age(userId: string, key: string, hours: number) {
  const at = new Date(Date.now() - hours * HOUR).toISOString();
  return h.data.ageIdempotencyRecord({ userId, key, at });
}
const keysOf = async (userId: string) =>
  (
    await h.data.rows({ table: 'idempotency_keys', columns: ['key'], where: { user_id: userId } })
  ).map((r) => r.key);

describe('Idempotency-Key retention', () => {
  it('forgets completed keys older than the window and keeps the recent and the in-progress ones', async () => {
    const user = await h.signup();
    for (const key of ['old-generate', 'fresh-generate']) {
      const res = await h
        .http()
        .post('/api/video/generate')
        .set(user.auth)
        .set('Idempotency-Key', key)
        .send(video);
      expect(res.status).toBe(202);
    }
    const intent = await h
      .http()
      .post('/api/payments/create-intent')
      .set(user.auth)
      .set('Idempotency-Key', 'old-quote')
      .send({ packageId: 1 });
    expect(intent.status).toBe(201);
    await age(user.id, 'old-generate', 25);
    await age(user.id, 'old-quote', 24 * 7);
    await age(user.id, 'fresh-generate', 23);
    // A request still running when the window passed: only the start-up release may drop it.
    await h.store.beginIdempotentRequest({
      userId: user.id,
      scope: 'payments.create-intent',
      key: 'stuck',
      requestHash: 'x',
      now: new Date(Date.now() - 48 * HOUR).toISOString(),
      staleBefore: new Date(0).toISOString(),
    });

    const deleted = await pruneExpiredIdempotencyKeys({ ctx: h.deps.ctx });

    expect(deleted).toBe(2);
    expect(await keysOf(user.id)).toEqual(['fresh-generate', 'stuck']);
    // Pruning a key never touches what the request did: the ledger and the videos stay.
    expect(
      await h.data.countRows({ table: 'video_generations', where: { user_id: user.id } }),
    ).toBe(2);
    expect(await pruneExpiredIdempotencyKeys({ ctx: h.deps.ctx })).toBe(0);
  });

  it('replays inside the window; after it the key is new again, as with Stripe', async () => {
    const user = await h.signup();
    const send = () =>
      h
        .http()
        .post('/api/video/generate')
        .set(user.auth)
        .set('Idempotency-Key', 'retry-me')
        .send(video);
    const first = await send();
    expect(first.status).toBe(202);

    await age(user.id, 'retry-me', 23.9);
    await pruneExpiredIdempotencyKeys({ ctx: h.deps.ctx });
    const replay = await send();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);

    await age(user.id, 'retry-me', 24.1);
    await pruneExpiredIdempotencyKeys({ ctx: h.deps.ctx });
    const later = await send();
    expect(later.status).toBe(202);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(later.body.video.id).not.toBe(first.body.video.id);
    expect(later.body.newBalance).toBe(first.body.newBalance - first.body.creditsUsed);
  });

  it('works through a backlog larger than one batch', async () => {
    const user = await h.signup();
    const at = new Date(Date.now() - 30 * HOUR).toISOString();
    await h.data.seedIdempotencyRecords({ userId: user.id, count: 1234, at, prefix: 'backlog-' });
    expect(await pruneExpiredIdempotencyKeys({ ctx: h.deps.ctx })).toBe(1234);
    expect(await keysOf(user.id)).toEqual([]);
  });

  it('runs as soon as the server schedules it, and stops when told', async () => {
    const user = await h.signup();
    const res = await h
      .http()
      .post('/api/video/generate')
      .set(user.auth)
      .set('Idempotency-Key', 'scheduled')
      .send(video);
    expect(res.status).toBe(202);
    await age(user.id, 'scheduled', 48);
    const stop = schedulePruning({ ctx: h.deps.ctx, input: { intervalMs: 60_000 } });
    try {
      await expect.poll(() => keysOf(user.id)).toEqual([]);
    } finally {
      stop();
    }
  });
});
