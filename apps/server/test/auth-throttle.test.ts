import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  // One proxy hop is trusted: X-Forwarded-For beyond it must not change who the client is.
  h = await createHarness({ TRUST_PROXY: '0', RATE_LIMIT_SIGNUP_PER_IP: '3' });
});
afterAll(async () => h.close());

describe('brute-force protection', () => {
  it('blocks the 11th failure in a row, even with the right password, whatever X-Forwarded-For says', async () => {
    const user = await h.signup();
    for (let i = 0; i < 10; i += 1) {
      const res = await h
        .http()
        .post('/api/auth/login')
        .set('X-Forwarded-For', `10.0.0.${i}`)
        .send({ email: user.email, password: `wrong-${i}` });
      expect(res.status).toBe(401);
    }
    const blocked = await h
      .http()
      .post('/api/auth/login')
      .set('X-Forwarded-For', '10.9.9.9')
      .send({ email: user.email, password: 'wrong again' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    const right = await h
      .http()
      .post('/api/auth/login')
      .send({ email: user.email, password: user.password });
    expect(right.status).toBe(429);
  });

  it('limits signups per IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await h
        .http()
        .post('/api/auth/signup')
        .send({ email: `burst${i}@example.com`, password: 'lantern orbit meadow', name: 'x' });
      statuses.push(res.status);
    }
    // The harness signup above consumed one of the three.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
  });
});
