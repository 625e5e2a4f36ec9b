import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '@app/shared';
import { createHarness, type Harness } from '../helpers/harness.ts';
import { raw, type RawResponse } from './security-helpers.ts';

/**
 * G (issue 10, finding 4): parallel guesses must not get past the login limits. A point is
 * taken before bcrypt runs, so however many guesses arrive at once, exactly the configured
 * number is evaluated (401) and every other one is refused (429) without hashing.
 */

const harnesses: Harness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.close();
});

async function harness(env: Record<string, string>): Promise<Harness> {
  const h = await createHarness(env);
  harnesses.push(h);
  return h;
}

const login = (h: Harness, email: string, password: string) =>
  raw(h, '/api/auth/login', { body: JSON.stringify({ email, password }) });

const count = (results: RawResponse[], status: number) =>
  results.filter((r) => r.status === status).length;

function expectRateLimited(res: RawResponse) {
  expect(res.status).toBe(429);
  expect(ErrorBodySchema.parse(res.json).error.code).toBe('RATE_LIMITED');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

describe('G: parallel login bursts get exactly the configured number of attempts', () => {
  it('60 simultaneous guesses on one account: exactly RATE_LIMIT_LOGIN_PER_ACCOUNT are evaluated, then even the right password is refused', async () => {
    const perAccount = 5;
    const h = await harness({
      // A real cost: with a 1 ms hash the burst is served one by one and hides the race.
      BCRYPT_COST: '10',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: String(perAccount),
      RATE_LIMIT_LOGIN_PER_IP: '1000',
    });
    const user = await h.signup();
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => login(h, user.email, `wrong guess number ${i}`)),
    );
    expect(count(results, 401)).toBe(perAccount);
    expect(count(results, 429)).toBe(60 - perAccount);
    for (const res of results.filter((r) => r.status === 429)) expectRateLimited(res);

    const right = await login(h, user.email, user.password);
    expectRateLimited(right);
  });

  it('300 simultaneous failures from one IP: exactly RATE_LIMIT_LOGIN_PER_IP are evaluated', async () => {
    const perIp = 20;
    const h = await harness({
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000',
      RATE_LIMIT_LOGIN_PER_IP: String(perIp),
      // 300 sockets from one address: past the connection cap's default.
      MAX_CONNECTIONS_PER_IP: '0',
    });
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        login(h, `nobody-${i}-${randomUUID()}@example.com`, 'not the password'),
      ),
    );
    expect(count(results, 401)).toBe(perIp);
    expect(count(results, 429)).toBe(300 - perIp);
    // The IP is blocked for every account now, including a real one with its right password.
    const user = await h.signup();
    expectRateLimited(await login(h, user.email, user.password));
  });

  it('a successful login gives its point back: successes never use up the failure budget', async () => {
    const h = await harness({ RATE_LIMIT_LOGIN_PER_ACCOUNT: '3', RATE_LIMIT_LOGIN_PER_IP: '3' });
    const user = await h.signup();
    for (let i = 0; i < 8; i += 1) {
      expect((await login(h, user.email, user.password)).status).toBe(200);
    }
    // Two failures, then a success resets the account's streak and returns the IP's point...
    expect((await login(h, user.email, 'wrong one')).status).toBe(401);
    expect((await login(h, user.email, 'wrong two')).status).toBe(401);
    expect((await login(h, user.email, user.password)).status).toBe(200);
    // ...so one more failure is still evaluated (IP: 3 points, 2 failures + 1 returned).
    expect((await login(h, user.email, 'wrong three')).status).toBe(401);
    expectRateLimited(await login(h, user.email, 'wrong four'));
  });
});

describe('G: concurrent password hashing is capped per address', () => {
  it('past BCRYPT_MAX_CONCURRENT_PER_IP + BCRYPT_QUEUE_MAX_PER_IP, logins are refused at once with 429 and cost no attempt', async () => {
    const h = await harness({
      // A real cost, so the first hashes are still running when the rest of the burst arrives.
      BCRYPT_COST: '12',
      BCRYPT_MAX_CONCURRENT_PER_IP: '1',
      BCRYPT_QUEUE_MAX_PER_IP: '2',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000',
      RATE_LIMIT_LOGIN_PER_IP: '1000',
    });
    const emails = Array.from({ length: 20 }, (_, i) => `gate-${i}-${randomUUID()}@example.com`);
    const results = await Promise.all(emails.map((email) => login(h, email, 'not the password')));
    const refused = results.filter((r) => r.status === 429);
    // At most one hashing and two waiting from this address when the burst lands.
    expect(count(results, 401)).toBeLessThan(20);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(count(results, 401) + refused.length).toBe(20);
    for (const res of refused) {
      expectRateLimited(res);
      expect(ErrorBodySchema.parse(res.json).error.message).toMatch(/at once/);
    }
    // Refused ones were never evaluated, so each of those accounts still has every attempt.
    const refusedEmail = emails[results.indexOf(refused[0]!)]!;
    expect((await login(h, refusedEmail, 'not the password')).status).toBe(401);
  }, 60_000);
});
