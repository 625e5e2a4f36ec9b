import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNUP_BONUS_CREDITS } from '@app/shared';
import { hashLinkToken } from '../../src/services/accounts/link-tokens.ts';
import { normaliseMailbox } from '../../src/services/accounts/mailbox.ts';
import { createHarness, type Harness } from '../helpers/harness.ts';
import {
  createMailHarness,
  linkToken,
  mailTo,
  PUBLIC_URL,
  waitForMail,
  type MailHarness,
} from '../helpers/mail.ts';

/**
 * Issue 13: verification mail, the verified-email gate, one signup bonus per mailbox, and
 * signups counted per IPv6 /64.
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
const verify = (token: string, auth?: { Authorization: string }) => {
  const req = h.http().post('/api/auth/verify-email');
  if (auth) req.set(auth);
  return req.send({ token });
};
const me = async (auth: { Authorization: string }) =>
  (await h.http().get('/api/auth/me').set(auth)).body.user as {
    id: string;
    email: string;
    emailVerified: boolean;
  };

describe('verification mail', () => {
  it('signup mails a single-use link built from PUBLIC_URL; opening it verifies the address', async () => {
    const user = await h.signup({ email: `verify-${unique()}@example.com` });
    expect((await me(user.auth)).emailVerified).toBe(false);
    const [mail] = await waitForMail(h.catcher, (m) => m.to[0]?.address === user.email);
    expect(mail!.subject).toContain('Lumen Studio');
    // Plain text and simple HTML, no images (no tracking pixels), no remote content.
    expect(mail!.text).toContain('Lumen Studio');
    expect(mail!.html).not.toMatch(/<img|<link|src=|url\(/i);
    const token = linkToken(mail!, '/verify-email');

    const first = await verify(token);
    expect(first.status, first.text).toBe(200);
    expect(first.body).toEqual({ verified: true });
    expect((await me(user.auth)).emailVerified).toBe(true);

    // Reused: refused, and the account stays verified.
    const again = await verify(token);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('INVALID_TOKEN');
  });

  it('refuses forged, malformed and expired links', async () => {
    const forged = await verify('A'.repeat(43));
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('INVALID_TOKEN');
    expect((await verify('short')).body.error.code).toBe('VALIDATION_ERROR');
    expect((await h.http().post('/api/auth/verify-email').send({ token: 1 })).status).toBe(400);

    const user = await h.signup({ email: `expired-${unique()}@example.com` });
    const [mail] = await waitForMail(h.catcher, (m) => m.to[0]?.address === user.email);
    const token = linkToken(mail!, '/verify-email');
    // 24 hours later (the clock is moved by moving the token's expiry into the past).
    await h.data.expireAccountToken({
      tokenHash: hashLinkToken(token),
      at: new Date(Date.now() - 1000).toISOString(),
    });
    const res = await verify(token);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_TOKEN', details: { reason: 'expired' } });
    expect((await me(user.auth)).emailVerified).toBe(false);
  });

  it('a link opened while another user is signed in verifies its owner only, and signs nobody in', async () => {
    const owner = await h.signup({ email: `owner-${unique()}@example.com` });
    const other = await h.signup({ email: `other-${unique()}@example.com` });
    const [mail] = await waitForMail(h.catcher, (m) => m.to[0]?.address === owner.email);
    const res = await verify(linkToken(mail!, '/verify-email'), other.auth);
    expect(res.status).toBe(200);
    // Nothing about the owner's account, and no session for anyone.
    expect(res.body).toEqual({ verified: true });
    expect((await me(owner.auth)).emailVerified).toBe(true);
    const stillOther = await me(other.auth);
    expect(stillOther).toMatchObject({ id: other.id, email: other.email, emailVerified: false });
  });

  it('a link sent to an address the account no longer has is void', async () => {
    const user = await h.signup({ email: `moved-${unique()}@example.com` });
    const [mail] = await waitForMail(h.catcher, (m) => m.to[0]?.address === user.email);
    const token = linkToken(mail!, '/verify-email');
    await h.data.setUserEmail({ userId: user.id, email: `elsewhere-${unique()}@example.com` });
    expect((await verify(token)).body.error.code).toBe('INVALID_TOKEN');
  });

  it('resend mails a new link, is rate limited per address, and refuses a verified account', async () => {
    const user = await h.signup({ email: `resend-${unique()}@example.com` });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await h.http().post('/api/auth/resend-verification').set(user.auth)).status);
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    // The signup mail and the three resends, each with its own working link.
    const mails = await waitForMail(h.catcher, (m) => m.to[0]?.address === user.email, 4);
    const tokens = new Set(mails.map((m) => linkToken(m, '/verify-email')));
    expect(tokens.size).toBe(4);
    expect((await verify([...tokens][2]!)).status).toBe(200);
    const verified = await h.http().post('/api/auth/resend-verification').set(user.auth);
    expect([409, 429]).toContain(verified.status);
    const fresh = await h.signup({ email: `resend2-${unique()}@example.com` });
    const [m] = await waitForMail(h.catcher, (x) => x.to[0]?.address === fresh.email);
    await verify(linkToken(m!, '/verify-email'));
    const done = await h.http().post('/api/auth/resend-verification').set(fresh.auth);
    expect(done.status).toBe(409);
    expect(done.body.error.code).toBe('INVALID_STATE');
  });
});

describe('one signup bonus per mailbox', () => {
  it('normalises lower-case, +tags and Gmail dots', () => {
    expect(normaliseMailbox('Jane.Doe+promo@GMail.com')).toBe('janedoe@gmail.com');
    expect(normaliseMailbox('j.a.n.e.doe@googlemail.com')).toBe('janedoe@gmail.com');
    expect(normaliseMailbox('Jane.Doe+x+y@example.com')).toBe('jane.doe@example.com');
  });

  it('22 plus-aliases of one mailbox: 22 accounts, exactly one bonus, and the others are told why', async () => {
    const base = `farm${unique().replace(/-/g, '')}`;
    const responses = await Promise.all(
      Array.from({ length: 22 }, (_, i) =>
        h
          .http()
          .post('/api/auth/signup')
          .send({
            email: `${base}+${i}@example.com`,
            password: 'correct horse battery',
            name: 'F',
          }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(22).fill(201));
    const granted = responses.filter((r) => r.body.signupBonus.granted);
    expect(granted).toHaveLength(1);
    expect(granted[0]!.body.user.creditBalance).toBe(SIGNUP_BONUS_CREDITS);
    for (const r of responses.filter((x) => !x.body.signupBonus.granted)) {
      expect(r.body.signupBonus).toEqual({
        granted: false,
        credits: 0,
        withheldReason: 'MAILBOX_ALREADY_USED',
      });
      expect(r.body.user.creditBalance).toBe(0);
    }
    const ids = responses.map((r) => r.body.user.id as string);
    const bonuses = await h.data.sum({
      table: 'transactions',
      column: 'amount',
      where: { type: 'bonus', user_id: { in: ids } },
    });
    expect(bonuses).toBe(SIGNUP_BONUS_CREDITS);
  });

  it('Gmail dot and googlemail variants are the same mailbox', async () => {
    const local = `dots${unique().replace(/[-]/g, '')}`;
    const first = await h.signup({ email: `${local}@gmail.com` });
    const res = await h
      .http()
      .post('/api/auth/signup')
      .send({
        email: `${local.slice(0, 3)}.${local.slice(3)}+x@googlemail.com`,
        password: 'correct horse battery',
        name: 'G',
      });
    expect(res.status).toBe(201);
    expect(res.body.signupBonus.granted).toBe(false);
    expect((await me(first.auth)).emailVerified).toBe(false);
  });
});

describe('REQUIRE_VERIFIED_EMAIL', () => {
  let strict: Harness;
  beforeAll(async () => {
    strict = await createHarness({ REQUIRE_VERIFIED_EMAIL: 'true', PUBLIC_URL });
  });
  afterAll(async () => {
    await strict.assertInvariants();
    await strict.close();
  });

  it('an unverified user reads everything but cannot buy or generate (403 EMAIL_NOT_VERIFIED), balance untouched', async () => {
    const user = await strict.signup();
    const key = `k-${unique()}`;
    const generate = await strict
      .http()
      .post('/api/video/generate')
      .set(user.auth)
      .set('Idempotency-Key', key)
      .send({ prompt: 'a cat', durationMinutes: 1, resolution: '720p' });
    expect(generate.status).toBe(403);
    expect(generate.body.error.code).toBe('EMAIL_NOT_VERIFIED');
    const buy = await strict
      .http()
      .post('/api/payments/create-intent')
      .set(user.auth)
      .send({ packageId: 1 });
    expect(buy.status).toBe(403);
    expect(buy.body.error.code).toBe('EMAIL_NOT_VERIFIED');
    for (const path of [
      '/api/auth/me',
      '/api/credits/balance',
      '/api/credits/transactions',
      '/api/payments/history',
    ]) {
      expect((await strict.http().get(path).set(user.auth)).status, path).toBe(200);
    }
    expect(
      (await strict.http().get('/api/credits/balance').set(user.auth)).body.creditBalance,
    ).toBe(SIGNUP_BONUS_CREDITS);
    expect((await strict.http().get('/api/config')).body.requireVerifiedEmail).toBe(true);

    // The verification mail waits in the outbox (no mailer here): read its token from there.
    const [row] = await strict.data.rows({
      table: 'mail_outbox',
      columns: ['params'],
      where: { user_id: user.id, template: 'verify_email' },
    });
    const token = (JSON.parse(row!.params as string) as { token: string }).token;
    expect((await strict.http().post('/api/auth/verify-email').send({ token })).status).toBe(200);
    // The refusal was not remembered under its key: the same key now charges.
    const after = await strict
      .http()
      .post('/api/video/generate')
      .set(user.auth)
      .set('Idempotency-Key', key)
      .send({ prompt: 'a cat', durationMinutes: 1, resolution: '720p' });
    expect(after.status, after.text).toBe(202);
  });

  it('is off by default outside production', async () => {
    expect(h.config.requireVerifiedEmail).toBe(false);
    const user = await h.signup();
    const res = await h
      .http()
      .post('/api/video/generate')
      .set(user.auth)
      .send({ prompt: 'a dog', durationMinutes: 1, resolution: '720p' });
    expect(res.status).toBe(202);
  });
});

describe('signups per IPv6 /64', () => {
  let proxied: Harness;
  beforeAll(async () => {
    proxied = await createHarness({ TRUST_PROXY: '1', RATE_LIMIT_SIGNUP_PER_IP: '3' });
  });
  afterAll(async () => {
    await proxied.close();
  });

  const signupFrom = (ip: string) =>
    proxied
      .http()
      .post('/api/auth/signup')
      .set('X-Forwarded-For', ip)
      .send({ email: `v6-${unique()}@example.com`, password: 'correct horse battery', name: 'V' });

  it('rotating addresses inside one /64 shares one limit; another /64 has its own', async () => {
    const statuses = [];
    for (const ip of [
      '2001:db8:1:2::1',
      '2001:db8:1:2::2',
      '2001:db8:1:2:ffff::9',
      '2001:db8:1:2::abcd',
    ]) {
      statuses.push((await signupFrom(ip)).status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect((await signupFrom('2001:db8:1:3::1')).status).toBe(201);
  });
});

it('each mail has one recipient: the address it is for', async () => {
  const user = await h.signup({ email: `only-${unique()}@example.com` });
  const mine = await waitForMail(h.catcher, (m) => m.to.some((t) => t.address === user.email));
  expect(mine).toHaveLength(1);
  expect(mine[0]!.to).toHaveLength(1);
  expect(mailTo(mine, user.email)).toHaveLength(1);
});
