import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIN_DURATION_MINUTES } from '@app/shared';
import { createHarness, type Harness } from '../helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterEach(async () => h.assertInvariants());
afterAll(async () => h.close());

// Issue 15: 0.0001 min was charged 5 credits and rendered as a 0.01 s MP4.
describe('the one minimum duration (0.1 min)', () => {
  it('is 0.1 minutes in the shared package', () => {
    expect(MIN_DURATION_MINUTES).toBe(0.1);
  });

  it('refuses 0.0001 min with 400 and charges nothing', async () => {
    const user = await h.signup();
    const body = { prompt: 'A very short clip', durationMinutes: 0.0001, resolution: '720p' };
    const res = await h.http().post('/api/video/generate').set(user.auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    const quote = await h
      .http()
      .post('/api/credits/calculate-cost')
      .set(user.auth)
      .send({ durationMinutes: 0.0999, resolution: '720p' });
    expect(quote.status).toBe(400);
    const balance = await h.http().get('/api/credits/balance').set(user.auth);
    expect(balance.body.creditBalance).toBe(10);
  });

  it('accepts exactly 0.1 min', async () => {
    const user = await h.signup();
    const res = await h
      .http()
      .post('/api/credits/calculate-cost')
      .set(user.auth)
      .send({ durationMinutes: 0.1, resolution: '720p' });
    expect(res.status).toBe(200);
    expect(res.body.cost).toBe(5);
  });
});
