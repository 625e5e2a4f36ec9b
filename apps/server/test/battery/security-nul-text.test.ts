import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.ts';
import { call } from './support/client.ts';
import { expectNulRequestsRefused } from './support/nul-requests.ts';

/**
 * NUL in user text on SQLite. SQLite could store it, PostgreSQL cannot (test/pg/nul-text), so
 * the API refuses it in one place for both adapters: the same request gets the same answer
 * whichever database is behind it.
 */
describe('NUL characters in requests (SQLite)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.close());

  it('refuses NUL in body strings, keys, path and query with a 400 and writes nothing', async () => {
    const user = await h.signup();
    await expectNulRequestsRefused({ baseUrl: h.baseUrl, token: user.token, data: h.data });
    expect((await h.store.getBalance({ userId: user.id }))!.creditBalance).toBe(10);
    await h.assertInvariants();
  });

  it('still accepts text that only spells NUL out (a backslash escape, a percent code)', async () => {
    const user = await h.signup({ name: 'Zoë \\u0000 %00' });
    const res = await call(h.baseUrl, 'GET', '/api/auth/me', { token: user.token });
    expect((res.body as { user: { name: string } }).user.name).toBe('Zoë \\u0000 %00');
  });
});
