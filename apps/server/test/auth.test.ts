import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, tableCounts, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ RATE_LIMIT_SIGNUP_PER_IP: '1000' });
});
afterEach(async () => h.assertInvariants());
afterAll(async () => h.close());

describe('POST /api/auth/signup', () => {
  it('creates the account with 10 free credits as a bonus ledger entry', async () => {
    const res = await h.http().post('/api/auth/signup').send({
      email: '  New.User@Example.COM ',
      password: 'lantern orbit meadow',
      name: 'New User',
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({
      email: 'new.user@example.com',
      name: 'New User',
      creditBalance: 10,
      totalCreditsPurchased: 0,
    });
    expect(res.body.user).not.toHaveProperty('passwordHash');
    expect(typeof res.body.token).toBe('string');
    const tx = await h
      .http()
      .get('/api/credits/transactions')
      .set('Authorization', `Bearer ${res.body.token}`);
    expect(tx.body.transactions).toEqual([
      expect.objectContaining({
        type: 'bonus',
        amount: 10,
        balanceAfter: 10,
        referenceType: 'signup',
      }),
    ]);
  });

  it('refuses a duplicate email (any case) with 409 and writes nothing', async () => {
    await h.signup({ email: 'dup@example.com' });
    const before = await tableCounts(h);
    const res = await h
      .http()
      .post('/api/auth/signup')
      .send({ email: 'DUP@example.com', password: 'another password', name: 'Other' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('EMAIL_TAKEN');
    expect(await tableCounts(h)).toEqual(before);
  });

  it('applies the password policy by characters, not bytes', async () => {
    const short = await h
      .http()
      .post('/api/auth/signup')
      .send({ email: 'p7@example.com', password: '1234567', name: 'x' });
    expect(short.status).toBe(400);
    expect(short.body.error.details[0].path).toBe('password');
    const eight = await h
      .http()
      .post('/api/auth/signup')
      .send({ email: 'p8@example.com', password: 'qv7#Lm2!', name: 'x' });
    expect(eight.status).toBe(201);
    const emoji = '😀🐙🌵🎻🧭🪐🍋🚲'.repeat(8); // 64 characters, 256 bytes
    const user = await h.signup({ email: 'emoji@example.com', password: emoji });
    const login = await h
      .http()
      .post('/api/auth/login')
      .send({ email: user.email, password: emoji });
    expect(login.status).toBe(200);
  });

  it('does not truncate at 72 bytes: a shared prefix cannot log in', async () => {
    const prefix =
      'a quick violet harbor lantern drifts past seven sleepy orbit meadows at dusk'.slice(0, 72);
    expect(prefix).toHaveLength(72);
    const user = await h.signup({ email: 'long@example.com', password: `${prefix}-first` });
    const other = await h
      .http()
      .post('/api/auth/login')
      .send({ email: user.email, password: `${prefix}-second` });
    expect(other.status).toBe(401);
    const right = await h
      .http()
      .post('/api/auth/login')
      .send({ email: user.email, password: `${prefix}-first` });
    expect(right.status).toBe(200);
  });

  it.each([
    [{ email: 'not-an-email', password: 'lantern orbit meadow', name: 'x' }],
    [{ email: 'a@b.co', password: 'lantern orbit meadow' }],
    [{ email: 'a@b.co', password: 'lantern orbit meadow', name: 'x', creditBalance: 1000 }],
    [{ email: 'a@b.co', password: 'lantern orbit meadow', name: 'x', role: 'admin' }],
    [{ email: 'a@b.co', password: 12345678, name: 'x' }],
    [[]],
  ])('rejects %j with 400 and writes nothing', async (body) => {
    const before = await tableCounts(h);
    const res = await h
      .http()
      .post('/api/auth/signup')
      .send(body as object);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(await tableCounts(h)).toEqual(before);
  });
});

describe('POST /api/auth/login', () => {
  it('logs in with the balance in the response', async () => {
    const user = await h.signup();
    const res = await h
      .http()
      .post('/api/auth/login')
      .send({ email: user.email.toUpperCase(), password: user.password });
    expect(res.status).toBe(200);
    expect(res.body.user.creditBalance).toBe(10);
  });

  it('answers an unknown email exactly like a wrong password', async () => {
    const user = await h.signup();
    const wrong = await h
      .http()
      .post('/api/auth/login')
      .send({ email: user.email, password: 'wrong password' });
    const unknown = await h
      .http()
      .post('/api/auth/login')
      .send({ email: 'nobody@example.com', password: 'wrong password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });
});

describe('GET /api/auth/me and the JWT rules', () => {
  it('returns the user with the balance', async () => {
    const user = await h.signup();
    const res = await h.http().get('/api/auth/me').set(user.auth);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: user.id, creditBalance: 10 });
  });

  it('rejects every forged, expired or malformed token with 401', async () => {
    const user = await h.signup();
    const { secret, issuer, audience } = h.config.jwt;
    const now = Math.floor(Date.now() / 1000);
    // A live session, so each token below fails for its own flaw and not for a missing sid.
    const { sessionId } = await h.startSession(user.id);
    const base = { sub: user.id, sid: sessionId, iat: now, exp: now + 600 };
    const valid = jwt.sign(base, secret, { algorithm: 'HS256', issuer, audience });
    expect(
      (await h.http().get('/api/auth/me').set('Authorization', `Bearer ${valid}`)).status,
    ).toBe(200);
    const header = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const tokens = {
      none: `${header({ alg: 'none', typ: 'JWT' })}.${header({ ...base, iss: issuer, aud: audience })}.`,
      hs512: jwt.sign(base, secret, { algorithm: 'HS512', issuer, audience }),
      badSignature: jwt.sign(base, 'x'.repeat(48), { algorithm: 'HS256', issuer, audience }),
      expired: jwt.sign({ ...base, exp: now - 10 }, secret, {
        algorithm: 'HS256',
        issuer,
        audience,
      }),
      noExp: jwt.sign({ sub: user.id, sid: sessionId, iat: now }, secret, {
        algorithm: 'HS256',
        issuer,
        audience,
      }),
      noSession: jwt.sign({ sub: user.id, iat: now, exp: now + 600 }, secret, {
        algorithm: 'HS256',
        issuer,
        audience,
      }),
      otherUsersSession: jwt.sign({ ...base, sub: 'someone-else' }, secret, {
        algorithm: 'HS256',
        issuer,
        audience,
      }),
      wrongIssuer: jwt.sign(base, secret, { algorithm: 'HS256', issuer: 'evil', audience }),
      wrongAudience: jwt.sign(base, secret, { algorithm: 'HS256', issuer, audience: 'other' }),
      notYetValid: jwt.sign({ ...base, nbf: now + 3600 }, secret, {
        algorithm: 'HS256',
        issuer,
        audience,
      }),
      videoFileToken: jwt.sign(base, secret, {
        algorithm: 'HS256',
        issuer,
        audience: 'video-file:x',
      }),
      garbage: 'not.a.token',
    };
    for (const [name, token] of Object.entries(tokens)) {
      const res = await h.http().get('/api/auth/me').set('Authorization', `Bearer ${token}`);
      expect(res.status, name).toBe(401);
      expect(res.body.error.code, name).toBe('UNAUTHORIZED');
    }
    expect((await h.http().get('/api/auth/me')).status).toBe(401);
    expect((await h.http().get('/api/auth/me').set('Authorization', user.token)).status).toBe(401);
  });

  it('rejects an RS256 token', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = jwt.sign({ sub: 'x' }, privateKey, {
      algorithm: 'RS256',
      issuer: h.config.jwt.issuer,
      audience: h.config.jwt.audience,
      expiresIn: 600,
    });
    const res = await h.http().get('/api/auth/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
  });
});
