import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashLinkToken } from '../../src/services/accounts/link-tokens.ts';
import {
  createMailHarness,
  linkToken,
  waitForMail,
  type CaughtMail,
  type MailHarness,
} from '../helpers/mail.ts';
import type { TestUser } from '../helpers/harness.ts';

/**
 * Issue 13: "Forgot password?" — one answer for every address, single-use 30-minute links,
 * limits per address, and a reset that signs out every session.
 */

let h: MailHarness;
beforeAll(async () => {
  h = await createMailHarness({ RATE_LIMIT_ACCOUNT_MAIL_PER_ADDRESS: '3' });
});
afterAll(async () => {
  await h.assertInvariants();
  await h.close();
});

const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const NEW_PASSWORD = 'lantern orchard velvet',
  OTHER_PASSWORD = 'copper meadow thistle';

const forgot = (email: string) => h.http().post('/api/auth/forgot-password').send({ email });
const reset = (token: string, newPassword = NEW_PASSWORD) =>
  h.http().post('/api/auth/reset-password').send({ token, newPassword });
const login = (email: string, password: string) =>
  h.http().post('/api/auth/login').send({ email, password });
const isResetMail = (user: TestUser) => (m: CaughtMail) =>
  m.to[0]?.address === user.email && m.text.includes('/reset-password?token=');

async function resetLink(user: TestUser, count = 1): Promise<string[]> {
  const mails = await waitForMail(h.catcher, isResetMail(user), count);
  return mails.map((m) => linkToken(m, '/reset-password'));
}

describe('password reset', () => {
  it('mails a link; using it sets the password and every old session is rejected', async () => {
    const user = await h.signup({ email: `reset-${unique()}@example.com` });
    const phone = (await login(user.email, user.password)).body.token as string;
    const res = await forgot(user.email);
    expect(res.status).toBe(202);
    const [token] = await resetLink(user);

    const done = await reset(token!);
    expect(done.status, done.text).toBe(204);
    for (const t of [user.token, phone]) {
      expect((await h.http().get('/api/auth/me').set('Authorization', `Bearer ${t}`)).status).toBe(
        401,
      );
    }
    expect((await login(user.email, user.password)).status).toBe(401);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
    // Single use.
    const again = await reset(token!, OTHER_PASSWORD);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('INVALID_TOKEN');
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('an unknown address gets exactly the answer a known one gets, and no mail', async () => {
    const user = await h.signup({ email: `known-${unique()}@example.com` });
    const unknown = `nobody-${unique()}@example.com`;
    const a = await forgot(user.email);
    const b = await forgot(unknown);
    expect(b.status).toBe(a.status);
    expect(b.body).toEqual(a.body);
    const headers = (r: typeof a) =>
      Object.keys(r.headers)
        .filter((k) => !['date', 'x-request-id', 'content-length', 'etag'].includes(k))
        .sort()
        .map((k) => `${k}: ${k.startsWith('ratelimit') ? '' : r.headers[k]}`);
    expect(headers(b)).toEqual(headers(a));
    await resetLink(user);
    const outbox = await h.data.countRows({ table: 'mail_outbox', where: { to_address: unknown } });
    expect(outbox).toBe(0);
    // The limit counts an address whether or not it has an account: 429 tells nothing either.
    const known = [];
    const none = [];
    for (let i = 0; i < 3; i++) {
      known.push((await forgot(user.email)).status);
      none.push((await forgot(unknown)).status);
    }
    expect(known).toEqual([202, 202, 429]);
    expect(none).toEqual(known);
  });

  it('refuses forged and expired links, and a weak new password without using the link up', async () => {
    expect((await reset('B'.repeat(43))).body.error.code).toBe('INVALID_TOKEN');
    const user = await h.signup({ email: `weak-${unique()}@example.com` });
    await forgot(user.email);
    const [token] = await resetLink(user);
    const weak = await reset(token!, 'password123');
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('WEAK_PASSWORD');
    // 30 minutes later.
    await h.data.expireAccountToken({
      tokenHash: hashLinkToken(token!),
      at: new Date(Date.now() - 1).toISOString(),
    });
    const expired = await reset(token!);
    expect(expired.status).toBe(400);
    expect(expired.body.error).toMatchObject({
      code: 'INVALID_TOKEN',
      details: { reason: 'expired' },
    });
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it('a reset link expires after 30 minutes and a verification link after 24 hours', async () => {
    const user = await h.signup({ email: `ttl-${unique()}@example.com` });
    await forgot(user.email);
    const [token] = await resetLink(user);
    const rows = (await h.data.rows({
      table: 'account_tokens',
      columns: ['purpose', 'created_at', 'expires_at'],
      where: { user_id: user.id },
      orderBy: 'created_at',
    })) as Array<{ purpose: string; created_at: string; expires_at: string }>;
    const minutes = (r: (typeof rows)[number]) =>
      (Date.parse(r.expires_at) - Date.parse(r.created_at)) / 60_000;
    expect(rows.map((r) => [r.purpose, minutes(r)]).sort()).toEqual([
      ['reset_password', 30],
      ['verify_email', 24 * 60],
    ]);
    // Stored hashed: the mailed value is nowhere in the table.
    const stored = JSON.stringify(
      await h.data.rows({ table: 'account_tokens', orderBy: 'created_at' }),
    );
    expect(stored).not.toContain(token!);
    expect(stored).toContain(hashLinkToken(token!));
  });

  it('two resets racing: exactly one wins, with one link or with two', async () => {
    const user = await h.signup({ email: `race-${unique()}@example.com` });
    await forgot(user.email);
    await forgot(user.email);
    const [first, second] = await resetLink(user, 2);
    const both = await Promise.all([reset(first!, NEW_PASSWORD), reset(second!, OTHER_PASSWORD)]);
    expect(both.map((r) => r.status).sort()).toEqual([204, 400]);
    const winner = both[0]!.status === 204 ? NEW_PASSWORD : OTHER_PASSWORD;
    const loser = winner === NEW_PASSWORD ? OTHER_PASSWORD : NEW_PASSWORD;
    expect((await login(user.email, winner)).status).toBe(200);
    expect((await login(user.email, loser)).status).toBe(401);

    const other = await h.signup({ email: `race2-${unique()}@example.com` });
    await forgot(other.email);
    const [only] = await resetLink(other);
    const same = await Promise.all([reset(only!, NEW_PASSWORD), reset(only!, OTHER_PASSWORD)]);
    expect(same.map((r) => r.status).sort()).toEqual([204, 400]);
  });
});
