import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requestFingerprint } from '../src/http/idempotency.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { generate, ONE_MINUTE_720P, waitForTerminal } from './helpers/video.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterEach(async () => h.assertInvariants());
afterAll(async () => h.close());

// create-intent goes through the generic Idempotency-Key layer (generate has its own, atomic one).
const PATH = '/api/payments/create-intent';
const intent = { packageId: 1 };

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body', async () => {
    const user = await h.signup();
    const first = await h
      .http()
      .post(PATH)
      .set(user.auth)
      .set('Idempotency-Key', 'k-1')
      .send(intent);
    const second = await h
      .http()
      .post(PATH)
      .set(user.auth)
      .set('Idempotency-Key', 'k-1')
      .send(intent);
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
  });

  it('a cost quote ignores the key: it changes nothing, so nothing is remembered', async () => {
    const user = await h.signup();
    const quote = { durationMinutes: 3, resolution: '720p' };
    for (const durationMinutes of [3, 4]) {
      const res = await h
        .http()
        .post('/api/credits/calculate-cost')
        .set(user.auth)
        .set('Idempotency-Key', 'quote-key')
        .send({ ...quote, durationMinutes });
      expect(res.status).toBe(200);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
    }
  });

  it('treats key order in the body as the same request', () => {
    expect(requestFingerprint('POST', '/x', { durationMinutes: 3, resolution: '720p' })).toBe(
      requestFingerprint('POST', '/x', { resolution: '720p', durationMinutes: 3 }),
    );
    expect(requestFingerprint('POST', '/x', { a: [1, 2] })).not.toBe(
      requestFingerprint('POST', '/x', { a: [2, 1] }),
    );
  });

  it('rejects the same key with a different body (422)', async () => {
    const user = await h.signup();
    await h.http().post(PATH).set(user.auth).set('Idempotency-Key', 'k-3').send(intent);
    const res = await h
      .http()
      .post(PATH)
      .set(user.auth)
      .set('Idempotency-Key', 'k-3')
      .send({ packageId: 2 });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('scopes keys per user', async () => {
    const a = await h.signup();
    const b = await h.signup();
    await h.http().post(PATH).set(a.auth).set('Idempotency-Key', 'shared').send(intent);
    const res = await h
      .http()
      .post(PATH)
      .set(b.auth)
      .set('Idempotency-Key', 'shared')
      .send({ packageId: 2 });
    expect(res.status).toBe(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it.each(['x'.repeat(256), '', 'has space', 'ünïcode'])(
    'refuses the key %j with 400',
    async (key) => {
      const user = await h.signup();
      const res = await h.http().post(PATH).set(user.auth).set('Idempotency-Key', key).send(intent);
      expect(res.status).toBe(400);
    },
  );

  it('answers concurrent duplicates with the stored response or 409, never twice-executed', async () => {
    const user = await h.signup();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.http().post(PATH).set(user.auth).set('Idempotency-Key', 'burst').send(intent),
      ),
    );
    for (const r of responses) expect([201, 409]).toContain(r.status);
    const fresh = responses.filter((r) => r.status === 201 && !r.headers['idempotent-replayed']);
    expect(fresh).toHaveLength(1);
  });
});

// Generate stores the charge's outcome and encodes it again for each replay: the bytes must
// still be the first answer's.
describe('Idempotency-Key on generate (the stored outcome, encoded again)', () => {
  it('replays the 202 byte for byte after the video has completed', async () => {
    const user = await h.signup();
    const first = await generate(h, user, ONE_MINUTE_720P, 'gen-1');
    expect(first.status).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const video = await waitForTerminal(h, user, first.body.video.id);
    expect(video.status).toBe('completed');
    const replay = await generate(h, user, ONE_MINUTE_720P, 'gen-1');
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['content-type']).toBe(first.headers['content-type']);
    expect(replay.text).toBe(first.text);
  });

  it('replays the 402 refusal byte for byte, even once the balance covers the video', async () => {
    const user = await h.signup();
    const tooLong = { ...ONE_MINUTE_720P, durationMinutes: 3 };
    const first = await generate(h, user, tooLong, 'gen-402');
    expect(first.status).toBe(402);
    expect(first.body.error).toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      details: { required: 15, balance: 10, shortfall: 5 },
    });
    await h.data.grantCredits({ userId: user.id, amount: 50 });
    const replay = await generate(h, user, tooLong, 'gen-402');
    expect(replay.status).toBe(402);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['content-type']).toBe(first.headers['content-type']);
    expect(replay.text).toBe(first.text);
  });
});
