import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTestData } from '../../src/store/pg/test-data.ts';
import { expectNulRequestsRefused } from '../battery/support/nul-requests.ts';
import { startFleet, type Fleet } from './instances.ts';

/**
 * PostgreSQL refuses NUL in text (22021), which used to surface as a 500 from deep inside a
 * write. The API refuses it up front with the same 400 as on SQLite (battery/security-nul-text).
 */
describe('NUL characters in requests (PostgreSQL)', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet(1);
  }, 120_000);
  afterAll(async () => f?.close());

  it('refuses NUL in body strings, keys, path and query with a 400 and writes nothing', async () => {
    const user = await f.signup();
    const data = pgTestData(f.store);
    await expectNulRequestsRefused({ baseUrl: f.nodes[0]!.baseUrl, token: user.token, data });
    expect(await f.balance(user.id)).toBe(10);
    await f.assertInvariants();
  });
});
