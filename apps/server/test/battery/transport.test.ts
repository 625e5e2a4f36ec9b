import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.ts';

/**
 * Production behind a TLS-terminating proxy: only requests that arrived over HTTPS reach the
 * API. Plain-HTTP GET/HEAD are redirected (308) to PUBLIC_URL, never to the Host sent; other
 * methods are refused; the health probes are exempt.
 */
const production = (trustProxy: string) => ({
  NODE_ENV: 'production',
  TRUST_PROXY: trustProxy,
  JWT_SECRET: 'p'.repeat(48),
  STRIPE_SECRET_KEY: 'sk_test_transport',
  STRIPE_PUBLISHABLE_KEY: 'pk_test_transport',
  STRIPE_WEBHOOK_SECRET: 'whsec_transport',
  SMTP_URL: 'smtp://127.0.0.1:9',
  PUBLIC_URL: 'https://credits.example.com/app',
  READY_MIN_FREE_BYTES: '0',
});

describe('production behind a trusted proxy (TRUST_PROXY=1)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(production('1'));
  });
  afterAll(async () => h?.close());

  it('redirects plain-HTTP GET and HEAD to the same path under PUBLIC_URL, whatever Host says', async () => {
    for (const method of ['get', 'head'] as const) {
      const req =
        method === 'get' ? h.http().get('/api/config?x=1') : h.http().head('/api/config?x=1');
      const res = await req.set('Host', 'evil.example.net').set('X-Forwarded-Proto', 'http');
      expect(res.status).toBe(308);
      expect(res.headers.location).toBe('https://credits.example.com/app/api/config?x=1');
    }
    // No X-Forwarded-Proto at all: the socket is plain HTTP.
    expect((await h.http().get('/api/config')).status).toBe(308);
  });

  it('refuses other plain-HTTP methods before they are handled', async () => {
    const login = await h
      .http()
      .post('/api/auth/login')
      .send({ email: 'a@example.com', password: 'correct horse battery' });
    expect(login.status).toBe(400);
    expect(login.body).toEqual({
      error: { code: 'HTTPS_REQUIRED', message: 'Use HTTPS: plain-HTTP requests are refused' },
    });
    const webhook = await h
      .http()
      .post('/api/payments/webhook')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', 't=1,v1=00')
      .send('{}');
    expect(webhook.body.error.code).toBe('HTTPS_REQUIRED');
  });

  it('serves requests the proxy received over HTTPS', async () => {
    const res = await h.http().get('/api/config').set('X-Forwarded-Proto', 'https');
    expect(res.status).toBe(200);
    expect(res.body.stripeMode).toBe('test');
    const login = await h
      .http()
      .post('/api/auth/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ email: 'nobody@example.com', password: 'correct horse battery' });
    expect(login.status).toBe(401);
  });

  it('never redirects or refuses the health probes', async () => {
    expect((await h.http().get('/healthz')).status).toBe(200);
    const ready = await h.http().get('/readyz');
    expect(ready.status, JSON.stringify(ready.body)).toBe(200);
  });
});

describe('production without a trusted proxy (TRUST_PROXY=0)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(production('0'));
  });
  afterAll(async () => h?.close());

  it('ignores X-Forwarded-Proto from the client: the socket decides', async () => {
    const res = await h.http().get('/api/config').set('X-Forwarded-Proto', 'https');
    expect(res.status).toBe(308);
  });
});
