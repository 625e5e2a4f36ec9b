import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '@app/shared';
import { createHarness, tableCounts, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ FRONTEND_URL: 'https://app.example.com' });
});
afterAll(async () => h.close());

describe('security headers', () => {
  it.each([
    ['200', '/healthz'],
    ['404', '/api/nope'],
    ['401', '/api/credits/balance'],
  ])('are set on a %s', async (_label, url) => {
    const res = await h.http().get(url);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=(\d+)/);
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers['strict-transport-security']!)![1]);
    expect(maxAge).toBeGreaterThanOrEqual(31536000);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toBeTruthy();
  });
});

describe('CORS', () => {
  it('grants nothing to a foreign origin', async () => {
    const res = await h.http().get('/api/config').set('Origin', 'https://evil.example.com');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('echoes the configured origin exactly, with Vary: Origin', async () => {
    const res = await h.http().get('/api/config').set('Origin', 'https://app.example.com');
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers.vary).toMatch(/Origin/);
    const preflight = await h
      .http()
      .options('/api/video/generate')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/i);
  });
});

describe('the one error shape', () => {
  it('answers unknown API routes with 404 NOT_FOUND', async () => {
    const res = await h.http().get('/api/does-not-exist');
    expect(res.status).toBe(404);
    expect(ErrorBodySchema.parse(res.body).error.code).toBe('NOT_FOUND');
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await h
      .http()
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email":');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(res.body)).not.toMatch(/at |Unexpected|SyntaxError/);
  });

  it('refuses a 1 MiB body with 413 and writes nothing', async () => {
    const before = await tableCounts(h);
    const res = await h
      .http()
      .post('/api/auth/signup')
      .send({ email: 'big@example.com', password: 'password123', name: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await tableCounts(h)).toEqual(before);
  });

  it('refuses a non-JSON content type with 415', async () => {
    const res = await h
      .http()
      .post('/api/auth/signup')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('email=a@b.co&password=password123&name=x');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('hides internals on a forced 500', async () => {
    const broken = await createHarness();
    const user = await broken.signup();
    await broken.store.close();
    const res = await broken.http().get('/api/credits/balance').set(user.auth);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/sqlite|database|\.ts|node_modules|at /i);
    expect(res.headers['strict-transport-security']).toBeTruthy();
    await broken.close();
  });
});

describe('documentation', () => {
  it('serves an OpenAPI 3.1 document built from the shared schemas', async () => {
    const res = await h.http().get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const signup = res.body.paths['/api/auth/signup'].post;
    expect(signup.requestBody.content['application/json'].schema.properties).toHaveProperty(
      'email',
    );
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/credits/balance',
        '/api/payments/webhook',
        '/api/video/generate',
      ]),
    );
  });

  it('serves a readable docs page', async () => {
    const res = await h.http().get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/html/);
    expect(res.text).toContain('POST /api/auth/signup');
  });

  it('serves the client configuration', async () => {
    const res = await h.http().get('/api/config');
    expect(res.body).toMatchObject({
      stripeMode: 'emulator',
      stripeEmulatorUrl: '/emulator/stripe',
    });
  });
});
