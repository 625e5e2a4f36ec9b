import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOW_BALANCE_THRESHOLD } from '@app/shared';
import { runLedgerVerify } from './support/server-process.ts';
import type { TestUser } from '../helpers/harness.ts';
import {
  createMailHarness,
  linkToken,
  waitForMail,
  type CaughtMail,
  type MailHarness,
} from '../helpers/mail.ts';
import { generate, waitForTerminal } from '../helpers/video.ts';
import { failingRenderer } from '../helpers/renderers.ts';

/**
 * Issue 13: the settings page's API — email change verified at the new address with a notice
 * to the old one, mail preferences (refund notices, low balance once per crossing), and
 * deleting an account (credits forfeited, personal data gone, ledger kept and still valid).
 */

const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const to = (address: string) => (m: CaughtMail) => m.to[0]?.address === address;
const outboxOf = (h: MailHarness, userId: string, template: string) =>
  h.data.countRows({ table: 'mail_outbox', where: { user_id: userId, template } });

describe('with videos waiting in the queue', () => {
  let h: MailHarness;
  beforeAll(async () => {
    h = await createMailHarness({}, { startWorker: false });
  });
  afterAll(async () => {
    await h.assertInvariants();
    await h.close();
  });

  const login = (email: string, password: string) =>
    h.http().post('/api/auth/login').send({ email, password });

  it('email change: verified at the new address first, the old one is told, then sign-in moves', async () => {
    const user = await h.signup({ email: `old-${unique()}@example.com` });
    const newEmail = `new-${unique()}@example.com`;
    const wrong = await h
      .http()
      .post('/api/account/change-email')
      .set(user.auth)
      .send({ newEmail, currentPassword: 'not my password' });
    expect(wrong.status).toBe(400);
    const res = await h
      .http()
      .post('/api/account/change-email')
      .set(user.auth)
      .send({ newEmail, currentPassword: user.password });
    expect(res.status, res.text).toBe(202);
    expect(res.body.pendingEmail).toBe(newEmail);

    const [notice] = await waitForMail(
      h.catcher,
      (m) => to(user.email)(m) && m.text.includes(newEmail),
    );
    expect(notice!.text).not.toContain('token=');
    const [confirm] = await waitForMail(h.catcher, to(newEmail));
    // Nothing changed yet.
    expect((await login(user.email, user.password)).status).toBe(200);
    expect((await login(newEmail, user.password)).status).toBe(401);

    const token = linkToken(confirm!, '/confirm-email');
    const done = await h.http().post('/api/account/confirm-email-change').send({ token });
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ email: newEmail });
    expect((await login(newEmail, user.password)).status).toBe(200);
    expect((await login(user.email, user.password)).status).toBe(401);
    const me = await h.http().get('/api/auth/me').set(user.auth);
    expect(me.body.user).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await h.http().post('/api/account/confirm-email-change').send({ token })).status).toBe(
      400,
    );
  });

  it('email change: an address in use is refused, and so is a link whose address was taken meanwhile', async () => {
    const a = await h.signup({ email: `a-${unique()}@example.com` });
    const b = await h.signup({ email: `b-${unique()}@example.com` });
    const taken = await h
      .http()
      .post('/api/account/change-email')
      .set(a.auth)
      .send({ newEmail: b.email, currentPassword: a.password });
    expect(taken.status).toBe(409);
    const target = `target-${unique()}@example.com`;
    await h
      .http()
      .post('/api/account/change-email')
      .set(a.auth)
      .send({ newEmail: target, currentPassword: a.password });
    const [mail] = await waitForMail(h.catcher, to(target));
    await h.signup({ email: target });
    const late = await h
      .http()
      .post('/api/account/confirm-email-change')
      .send({ token: linkToken(mail!, '/confirm-email') });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('EMAIL_TAKEN');
  });

  it('preferences: refund notices on and low-balance mail off by default; both can be set', async () => {
    const user = await h.signup();
    const get = await h.http().get('/api/account/notifications').set(user.auth);
    expect(get.body).toEqual({ notifications: { refundNotice: true, lowBalance: false } });
    const put = await h
      .http()
      .put('/api/account/notifications')
      .set(user.auth)
      .send({ refundNotice: false, lowBalance: true });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ notifications: { refundNotice: false, lowBalance: true } });
    const bad = await h
      .http()
      .put('/api/account/notifications')
      .set(user.auth)
      .send({ refundNotice: 'yes', lowBalance: true });
    expect(bad.status).toBe(400);
    expect((await h.http().get('/api/account/notifications')).status).toBe(401);
  });

  it('low balance: one mail per crossing below the threshold, when opted in; refund notices by default', async () => {
    const user = await h.signup({ email: `low-${unique()}@example.com` });
    await h
      .http()
      .put('/api/account/notifications')
      .set(user.auth)
      .send({ refundNotice: true, lowBalance: true });
    // 10 → 5 crosses below 10; 5 → 0 does not cross again.
    const first = await generate(h, user);
    const second = await generate(h, user);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(await outboxOf(h, user.id, 'low_balance')).toBe(1);
    // Both refunded (back to 10), then down again: a new crossing.
    for (const v of [first, second]) {
      const c = await h.http().post(`/api/video/${v.body.video.id}/cancel`).set(user.auth).send({});
      expect(c.status, c.text).toBe(200);
    }
    expect((await generate(h, user)).status).toBe(202);
    const lows = await waitForMail(
      h.catcher,
      (m) => to(user.email)(m) && m.subject.includes('low'),
      2,
    );
    expect(lows).toHaveLength(2);
    expect(lows[0]!.text).toContain(`below ${LOW_BALANCE_THRESHOLD}`);
    const refunds = await waitForMail(
      h.catcher,
      (m) => to(user.email)(m) && m.subject.includes('credits are back'),
      2,
    );
    expect(refunds[0]!.subject).toContain('Your 5 credits are back');
    expect(await outboxOf(h, user.id, 'low_balance')).toBe(2);
  });

  it('no refund notice for a user who turned it off, no low-balance mail for one who never opted in', async () => {
    const user = await h.signup();
    await h
      .http()
      .put('/api/account/notifications')
      .set(user.auth)
      .send({ refundNotice: false, lowBalance: false });
    const v = await generate(h, user);
    await h.http().post(`/api/video/${v.body.video.id}/cancel`).set(user.auth).send({});
    expect(await outboxOf(h, user.id, 'video_refunded')).toBe(0);
    expect(await outboxOf(h, user.id, 'low_balance')).toBe(0);
  });
});

describe('failed videos', () => {
  let h: MailHarness;
  beforeAll(async () => {
    h = await createMailHarness({}, { renderer: failingRenderer('the renderer broke') });
  });
  afterAll(async () => {
    await h.assertInvariants();
    await h.close();
  });

  it('a failed, refunded video sends "your N credits are back" once', async () => {
    const user = await h.signup({ email: `failed-${unique()}@example.com` });
    const res = await generate(h, user);
    const video = await waitForTerminal(h, user, res.body.video.id);
    expect(video.status).toBe('failed');
    const [mail] = await waitForMail(h.catcher, to(user.email), 2).then((all) =>
      all.filter((m) => m.subject.includes('credits are back')),
    );
    expect(mail!.text).toContain('could not be generated');
    expect(mail!.text).toContain(`/videos/${video.id}`);
    expect(await outboxOf(h, user.id, 'video_refunded')).toBe(1);
  });
});

describe('deleting an account', () => {
  let h: MailHarness;
  beforeAll(async () => {
    h = await createMailHarness();
  });
  afterAll(async () => {
    await h.assertInvariants();
    await h.close();
  });

  const del = (user: TestUser, body: object) =>
    h.http().post('/api/account/delete').set(user.auth).send(body);

  it('needs the password and the forfeit acknowledgement', async () => {
    const user = await h.signup();
    expect((await del(user, { password: user.password })).status).toBe(400);
    expect((await del(user, { password: 'wrong', acknowledgeForfeit: true })).status).toBe(400);
    expect((await h.http().get('/api/auth/me').set(user.auth)).status).toBe(200);
  });

  it('forfeits the credits, removes personal data and files, keeps a valid ledger', async () => {
    const user = await h.signup({
      email: `leaving-${unique()}@example.com`,
      name: 'Leaving Person',
    });
    const made = await generate(h, user);
    const video = await waitForTerminal(h, user, made.body.video.id);
    expect(video.status).toBe('completed');
    const [{ file_path: key }] = (await h.data.rows({
      table: 'video_generations',
      columns: ['file_path'],
      where: { id: video.id },
    })) as [{ file_path: string }];
    const file = path.join(h.config.videoDir, key);
    expect(existsSync(file)).toBe(true);

    const res = await del(user, { password: user.password, acknowledgeForfeit: true });
    expect(res.status, res.text).toBe(204);

    expect((await h.http().get('/api/auth/me').set(user.auth)).status).toBe(401);
    expect((await h.http().get('/api/credits/balance').set(user.auth)).status).toBe(401);
    const login = await h
      .http()
      .post('/api/auth/login')
      .send({ email: user.email, password: user.password });
    expect(login.status).toBe(401);
    expect(existsSync(file)).toBe(false);

    const [row] = (await h.data.rows({ table: 'users', where: { id: user.id } })) as [
      Record<string, unknown>,
    ];
    expect(JSON.stringify(row)).not.toContain(user.email);
    expect(JSON.stringify(row)).not.toContain('Leaving Person');
    expect(row.credit_balance).toBe(0);
    expect(row.deleted_at).not.toBeNull();
    const entries = await h.data.rows({
      table: 'transactions',
      columns: ['type', 'amount', 'reference_type'],
      where: { user_id: user.id },
    });
    expect(entries).toEqual([
      { type: 'bonus', amount: 10, reference_type: 'signup' },
      { type: 'usage', amount: -5, reference_type: 'video' },
      { type: 'adjustment', amount: -5, reference_type: 'account_deletion' },
    ]);
    const [{ prompt }] = (await h.data.rows({
      table: 'video_generations',
      columns: ['prompt'],
      where: { id: video.id },
    })) as [{ prompt: string }];
    expect(prompt).toBe('');
    for (const table of ['sessions', 'account_tokens', 'mail_outbox'] as const) {
      const n = await h.data.countRows({ table, where: { user_id: user.id } });
      expect(n, table).toBe(0);
    }
    await h.assertInvariants();
    const verify = await runLedgerVerify(h.config.databasePath);
    expect(verify.code, verify.output).toBe(0);

    // The address is free again, but the mailbox already had its bonus.
    const again = await h
      .http()
      .post('/api/auth/signup')
      .send({ email: user.email, password: 'correct horse battery', name: 'Back' });
    expect(again.status).toBe(201);
    expect(again.body.signupBonus.granted).toBe(false);
  });
});
