import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { staffUser } from './helpers.ts';

/** Who may see the console: 404 (exactly a missing path) for everyone but staff. */

let h: Harness;
let user: TestUser;
let support: TestUser;
let admin: TestUser;

beforeAll(async () => {
  h = await createHarness();
  user = await h.signup();
  support = await staffUser(h, 'support');
  admin = await staffUser(h, 'admin');
});

afterAll(async () => {
  await h.close();
});

const missing = async () => (await h.http().get('/api/no-such-path')).body as unknown;

describe('admin routes', () => {
  it('answer 404 like a missing path to nobody, a bad token and a user', async () => {
    const notFound = await missing();
    for (const headers of [
      {},
      { Authorization: 'Bearer nonsense' },
      { Authorization: 'Basic abc' },
      user.auth,
    ]) {
      for (const path of ['/api/admin/me', '/api/admin/overview', '/api/admin/audit']) {
        const res = await h.http().get(path).set(headers);
        expect(res.status, path).toBe(404);
        expect(res.body).toEqual(notFound);
      }
      const post = await h
        .http()
        .post(`/api/admin/customers/${user.id}/grant`)
        .set(headers)
        .send({ amount: 5, reason: 'goodwill', note: 'x' });
      expect(post.status).toBe(404);
      expect(post.body).toEqual(notFound);
    }
    expect(await h.store.getBalance({ userId: user.id })).toMatchObject({ creditBalance: 10 });
  });

  it('open to support and admins, with their role', async () => {
    const s = await h.http().get('/api/admin/me').set(support.auth);
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({
      role: 'support',
      supportGrantLimit: 100,
      approvalThreshold: 1000,
    });
    const a = await h.http().get('/api/admin/me').set(admin.auth);
    expect(a.body).toMatchObject({ role: 'admin', user: { id: admin.id, email: admin.email } });
  });

  it('close at once when an admin is demoted, and to a disabled admin', async () => {
    const other = await staffUser(h, 'admin');
    expect((await h.http().get('/api/admin/me').set(other.auth)).status).toBe(200);
    await h.store.admin.setRole({
      email: other.email,
      role: 'user',
      actor: { id: null, role: 'cli', requestId: null },
      now: new Date().toISOString(),
    });
    expect((await h.http().get('/api/admin/me').set(other.auth)).status).toBe(404);

    const third = await staffUser(h, 'admin');
    const disabled = await h
      .http()
      .post(`/api/admin/customers/${third.id}/disable`)
      .set(admin.auth)
      .send({ note: 'left the company' });
    expect(disabled.status).toBe(200);
    expect((await h.http().get('/api/admin/me').set(third.auth)).status).toBe(404);
  });

  it('the role is nothing a user can send', async () => {
    const res = await h.http().post('/api/auth/signup').send({
      email: 'sneaky@example.com',
      password: 'correct horse battery',
      name: 'S',
      role: 'admin',
    });
    expect(res.status).toBe(400);
  });
});
