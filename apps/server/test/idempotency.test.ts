import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterEach(async () => h.assertInvariants());
afterAll(async () => h.close());

const quote = { durationMinutes: 3, resolution: '720p' };

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body', async () => {
    const user = await h.signup();
    const first = await h
      .http()
      .post('/api/credits/calculate-cost')
      .set(user.auth)
      .set('Idempotency-Key', 'k-1')
      .send(quote);
    const second = await h
      .http()
      .post('/api/credits/calculate-cost')
      .set(user.auth)
      .set('Idempotency-Key', 'k-1')
      .send(quote);
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
  });

  it('treats key order in the body as the same request', async () => {
    const user = await h.signup();
    await h
      .http()
      .post('/api/credits/calculate-cost')
      .set(user.auth)
      .set('Idempotency-Key', 'k-2')
      .send(quote);
    const reordered = await h
      .http()
      .post('/api/credits/calculate-cost')
      .set(user.auth)
      .set('Idempotency-Key', 'k-2')
      .send({ resolution: '720p', durationMinutes: 3 });
    expect(reordered.headers['idempotent-replayed']).toBe('true');
  });

  it('rejects the same key with a different body (422)', async () => {
    const user = await h.signup();
    await h
      .http()
      .post('/api/credits/calculate-cost')
      .set(user.auth)
      .set('Idempotency-Key', 'k-3')
      .send(quote);
    const res = await h
      .http()
      .post('/api/credits/calculate-cost')
      .set(user.auth)
      .set('Idempotency-Key', 'k-3')
      .send({ ...quote, durationMinutes: 4 });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('scopes keys per user', async () => {
    const a = await h.signup();
    const b = await h.signup();
    await h
      .http()
      .post('/api/credits/calculate-cost')
      .set(a.auth)
      .set('Idempotency-Key', 'shared')
      .send(quote);
    const res = await h
      .http()
      .post('/api/credits/calculate-cost')
      .set(b.auth)
      .set('Idempotency-Key', 'shared')
      .send({ ...quote, durationMinutes: 9 });
    expect(res.status).toBe(200);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it.each(['x'.repeat(256), '', 'has space', 'ünïcode'])(
    'refuses the key %j with 400',
    async (key) => {
      const user = await h.signup();
      const res = await h
        .http()
        .post('/api/credits/calculate-cost')
        .set(user.auth)
        .set('Idempotency-Key', key)
        .send(quote);
      expect(res.status).toBe(400);
    },
  );

  it('answers concurrent duplicates with the stored response or 409, never twice-executed', async () => {
    const user = await h.signup();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        h
          .http()
          .post('/api/credits/calculate-cost')
          .set(user.auth)
          .set('Idempotency-Key', 'burst')
          .send(quote),
      ),
    );
    for (const r of responses) expect([200, 409]).toContain(r.status);
    const fresh = responses.filter((r) => r.status === 200 && !r.headers['idempotent-replayed']);
    expect(fresh).toHaveLength(1);
  });
});
