import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '@app/shared';
import { pruneExpiredSessions } from '../../src/services/auth/prune-expired-sessions.ts';
import { sqliteAdapterInternals } from '../../src/store/sqlite/test-data.ts';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { raw } from './security-helpers.ts';

/**
 * Issue 10, findings 7 and 10 (passwords): server-side sessions. A token is accepted only
 * while its session row is live, so sign-out, "sign out everywhere" and a password change
 * end it at once; a token of a deleted account or of another database is a 401 everywhere.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.assertInvariants();
  await h.close();
});

const GENERATE = JSON.stringify({
  prompt: 'session check',
  durationMinutes: 1,
  resolution: '720p',
});

/** Every kind of authenticated route: a read, a list, a write that would charge credits. */
async function statusesWith(target: Harness, token: string) {
  return {
    balance: (await raw(target, '/api/credits/balance', { token })).status,
    transactions: (await raw(target, '/api/credits/transactions', { token })).status,
    generate: (await raw(target, '/api/video/generate', { token, body: GENERATE })).status,
    me: (await raw(target, '/api/auth/me', { token })).status,
  };
}
const ALL_401 = { balance: 401, transactions: 401, generate: 401, me: 401 };

const post = (path: string, token?: string, body: object = {}) =>
  raw(h, path, { token, body: JSON.stringify(body) });

async function loginAgain(user: TestUser, password = user.password): Promise<string> {
  const res = await post('/api/auth/login', undefined, { email: user.email, password });
  expect(res.status, res.text).toBe(200);
  return (res.json as { token: string }).token;
}

const meStatus = async (token: string) => (await raw(h, '/api/auth/me', { token })).status;

describe('finding 7: sign-out revokes the token on the server', () => {
  it('POST /api/auth/logout: that token is 401 afterwards, the user’s other sessions still work', async () => {
    const user = await h.signup();
    const phone = await loginAgain(user);
    expect((await post('/api/auth/logout', user.token)).status).toBe(204);
    expect(await statusesWith(h, user.token)).toEqual(ALL_401);
    expect(await meStatus(phone)).toBe(200);
    // Signing out twice is not an error the client must handle... but the token is dead.
    expect((await post('/api/auth/logout', user.token)).status).toBe(401);
  });

  it('generate checks the session inside its charge: a signed-out token charges nothing and takes no Idempotency-Key', async () => {
    const user = await h.signup();
    const phone = await loginAgain(user);
    expect((await post('/api/auth/logout', user.token)).status).toBe(204);
    const before = await h.data.countAll({ tables: ['transactions', 'video_generations'] });
    const headers = { 'Idempotency-Key': 'after-sign-out' };
    const refused = await raw(h, '/api/video/generate', {
      token: user.token,
      body: GENERATE,
      headers,
    });
    expect(refused.status).toBe(401);
    expect(ErrorBodySchema.parse(refused.json).error.code).toBe('UNAUTHORIZED');
    expect(await h.data.countAll({ tables: ['transactions', 'video_generations'] })).toEqual(
      before,
    );
    // The key is still free for this user's live session.
    const created = await raw(h, '/api/video/generate', { token: phone, body: GENERATE, headers });
    expect(created.status, created.text).toBe(202);
  });

  it('POST /api/auth/logout-all revokes every session of the user, and only of that user', async () => {
    const user = await h.signup();
    const other = await h.signup();
    const phone = await loginAgain(user);
    expect((await post('/api/auth/logout-all', phone)).status).toBe(204);
    expect(await meStatus(user.token)).toBe(401);
    expect(await meStatus(phone)).toBe(401);
    expect(await meStatus(other.token)).toBe(200);
    // Signing in again works as usual.
    expect(await meStatus(await loginAgain(user))).toBe(200);
  });

  it('the video file route refuses a revoked bearer token too', async () => {
    const user = await h.signup();
    const created = await raw(h, '/api/video/generate', { token: user.token, body: GENERATE });
    expect(created.status).toBe(202);
    const id = (created.json as { video: { id: string } }).video.id;
    await post('/api/auth/logout', user.token);
    expect((await raw(h, `/api/video/${id}/file`, { token: user.token })).status).toBe(401);
  });
});

describe('finding 7: POST /api/auth/change-password', () => {
  const NEW_PASSWORD = 'granite willow compass';

  it('a wrong current password is a 400 and revokes nothing', async () => {
    const user = await h.signup();
    const phone = await loginAgain(user);
    const res = await post('/api/auth/change-password', user.token, {
      currentPassword: 'not my password',
      newPassword: NEW_PASSWORD,
    });
    expect(res.status).toBe(400);
    expect(ErrorBodySchema.parse(res.json).error.message).toMatch(/current password/i);
    expect(await meStatus(user.token)).toBe(200);
    expect(await meStatus(phone)).toBe(200);
    expect(await loginAgain(user)).toBeTruthy();
  });

  it('a weak new password is a 400 WEAK_PASSWORD and revokes nothing', async () => {
    const user = await h.signup();
    const res = await post('/api/auth/change-password', user.token, {
      currentPassword: user.password,
      newPassword: 'password123',
    });
    expect(res.status).toBe(400);
    expect(ErrorBodySchema.parse(res.json).error.code).toBe('WEAK_PASSWORD');
    expect(await meStatus(user.token)).toBe(200);
  });

  it('revokes every session, returns a fresh token for this browser, and switches the password', async () => {
    const user = await h.signup();
    const phone = await loginAgain(user);
    const res = await post('/api/auth/change-password', user.token, {
      currentPassword: user.password,
      newPassword: NEW_PASSWORD,
    });
    expect(res.status, res.text).toBe(200);
    const fresh = (res.json as { token: string; user: { id: string } }).token;
    expect((res.json as { user: { id: string } }).user.id).toBe(user.id);
    expect(await statusesWith(h, user.token)).toEqual(ALL_401);
    expect(await meStatus(phone)).toBe(401);
    expect(await meStatus(fresh)).toBe(200);
    const old = await post('/api/auth/login', undefined, {
      email: user.email,
      password: user.password,
    });
    expect(old.status).toBe(401);
    expect(await meStatus(await loginAgain(user, NEW_PASSWORD))).toBe(200);
  });

  it('is throttled like a login: guesses of the current password run out', async () => {
    const limited = await createHarness({ RATE_LIMIT_LOGIN_PER_ACCOUNT: '3' });
    try {
      const user = await limited.signup();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const res = await raw(limited, '/api/auth/change-password', {
          token: user.token,
          body: JSON.stringify({ currentPassword: `guess ${i}`, newPassword: NEW_PASSWORD }),
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([400, 400, 400, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('issue 13: a signed token without a live account or session is a 401 everywhere', () => {
  it('a session id this database never issued (another deployment sharing the secret)', async () => {
    const user = await h.signup();
    const { secret, issuer, audience } = h.config.jwt;
    const now = Math.floor(Date.now() / 1000);
    const foreign = jwt.sign(
      { sub: user.id, sid: '0190a0a0-0000-7000-8000-000000000000', iat: now, exp: now + 600 },
      secret,
      { algorithm: 'HS256', issuer, audience },
    );
    expect(await statusesWith(h, foreign)).toEqual(ALL_401);
    // A token of another database (same secret) whose user does not exist here.
    const elsewhere = await createHarness({ JWT_SECRET: secret });
    try {
      const stranger = await elsewhere.signup();
      expect(await statusesWith(h, stranger.token)).toEqual(ALL_401);
    } finally {
      await elsewhere.close();
    }
  });

  it('a token whose account was deleted', async () => {
    const doomed = await createHarness();
    try {
      const user = await doomed.signup();
      expect((await statusesWith(doomed, user.token)).balance).toBe(200);
      // No product route deletes accounts; an operator would. The ledger keeps its rows.
      // Foreign keys lifted on the SQLite connection: a hard delete no store operation makes.
      const { db } = sqliteAdapterInternals(doomed.store);
      db.pragma('foreign_keys = OFF');
      db.prepare('DELETE FROM users WHERE id = ?').run(user.id);
      expect(await statusesWith(doomed, user.token)).toEqual(ALL_401);
    } finally {
      await doomed.close();
    }
  });
});

describe('expired sessions are pruned', () => {
  it('rows past their expiry go, live ones stay', async () => {
    const user = await h.signup();
    const past = new Date(Date.now() - 60_000).toISOString();
    await h.store.createSession({
      id: `expired-${Date.now()}`,
      userId: user.id,
      createdAt: past,
      expiresAt: past,
    });
    const live = () =>
      h.data.countRows({ table: 'sessions', where: { expires_at: { after: past } } });
    const liveBefore = await live();
    expect(await pruneExpiredSessions({ ctx: h.deps.ctx })).toBeGreaterThanOrEqual(1);
    expect(
      await h.data.countRows({
        table: 'sessions',
        where: { expires_at: { before: new Date().toISOString() } },
      }),
    ).toBe(0);
    expect(await live()).toBe(liveBefore);
    expect(await meStatus(user.token)).toBe(200);
  });
});

describe('finding 10: common passwords are refused with a helpful message', () => {
  it.each(['password123', 'qwertyuiop', '12345678'])(
    'signup with %j is 400 WEAK_PASSWORD and creates nothing',
    async (password) => {
      const email = `weak-${password}-${Date.now()}@example.com`;
      const res = await post('/api/auth/signup', undefined, { email, password, name: 'Weak' });
      expect(res.status).toBe(400);
      const { error } = ErrorBodySchema.parse(res.json);
      expect(error.code).toBe('WEAK_PASSWORD');
      // Says why, and what to do instead.
      expect(error.message).toMatch(/too easy to guess/);
      expect(error.message).toMatch(/common|frequently|heavily|used/i);
      expect(error.message).toMatch(/Add|Try|Avoid|Use/);
      expect(await h.data.countRows({ table: 'users', where: { email } })).toBe(0);
    },
  );

  it('a passphrase is accepted', async () => {
    const res = await post('/api/auth/signup', undefined, {
      email: `phrase-${Date.now()}@example.com`,
      password: 'tangerine bicycle over granite',
      name: 'Phrase',
    });
    expect(res.status, res.text).toBe(201);
  });
});
