import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createStripeEmulator } from '../src/index.ts';
import {
  errorOf,
  raw,
  startHarness,
  stripeClient,
  WEBHOOK_SECRET,
  type Harness,
} from './helpers.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('refusing to run against real money', () => {
  it('throws in production', () => {
    expect(() =>
      createStripeEmulator({ webhookSecret: WEBHOOK_SECRET, nodeEnv: 'production' }),
    ).toThrow(/production/);
    expect(() =>
      createStripeEmulator({ webhookSecret: WEBHOOK_SECRET, nodeEnv: 'test' }),
    ).not.toThrow();
  });

  it('throws when configured with live keys', () => {
    expect(() =>
      createStripeEmulator({ webhookSecret: WEBHOOK_SECRET, secretKey: 'sk_live_abc' }),
    ).toThrow(/live/);
    expect(() =>
      createStripeEmulator({ webhookSecret: WEBHOOK_SECRET, publishableKey: 'pk_live_abc' }),
    ).toThrow(/live/);
  });

  it('rejects requests made with a live key', async () => {
    h = await startHarness();
    const live = stripeClient(h.port, 'sk_live_1234567890abcdef');
    const err = await errorOf(() => live.paymentIntents.create({ amount: 1000, currency: 'usd' }));
    expect(err.type).toBe('StripeAuthenticationError');
    expect(err.statusCode).toBe(401);
    expect(h.emulator.control.listAll().paymentIntents).toEqual([]);
  });
});

describe('API keys', () => {
  it('401s a missing or unknown key', async () => {
    h = await startHarness({ secretKey: 'sk_test_only_this_one' });
    const missing = await raw(h.url, '/v1/payment_intents', { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ type: 'invalid_request_error' });
    const wrong = await errorOf(() =>
      stripeClient(h!.port, 'sk_test_someone_else').paymentIntents.list(),
    );
    expect(wrong.type).toBe('StripeAuthenticationError');
    expect(wrong.message).toMatch(/^Invalid API Key provided: sk_test_\*+/);
    const right = await stripeClient(h.port, 'sk_test_only_this_one').paymentIntents.list();
    expect(right.data).toEqual([]);
  });

  it('accepts HTTP basic auth with the key as username', async () => {
    h = await startHarness();
    const res = await fetch(`${h.url}/v1/payment_intents`, {
      headers: { Authorization: `Basic ${Buffer.from('sk_test_basic:').toString('base64')}` },
    });
    expect(res.status).toBe(200);
  });
});

describe('publishable key', () => {
  const PK = 'pk_test_emulator';

  it('is refused on secret-key endpoints', async () => {
    h = await startHarness({ publishableKey: PK });
    const publishable = stripeClient(h.port, PK);
    const create = await errorOf(() =>
      publishable.paymentIntents.create({ amount: 1000, currency: 'usd' }),
    );
    expect(create.statusCode).toBe(403);
    expect(create.type).toBe('StripePermissionError');
    for (const path of ['/v1/payment_intents', '/v1/events', '/v1/charges/ch_x']) {
      expect((await raw(h.url, path, { key: PK })).status).toBe(403);
    }
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const cancel = await raw(h.url, `/v1/payment_intents/${pi.id}/cancel`, { key: PK, form: '' });
    expect(cancel.status).toBe(403);
    const refund = await raw(h.url, '/v1/refunds', { key: PK, form: `payment_intent=${pi.id}` });
    expect(refund.status).toBe(403);
    expect((await raw(h.url, '/v1/payment_intents', { key: 'pk_test_other' })).status).toBe(401);
  });

  it('retrieves and confirms only with the matching client_secret, seeing a public subset', async () => {
    h = await startHarness({ publishableKey: PK });
    const pi = await h.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      metadata: { user_id: 'secret-ish' },
    });
    const secret = String(pi.client_secret);

    const noSecret = await raw(h.url, `/v1/payment_intents/${pi.id}`, { key: PK });
    expect(noSecret.status).toBe(400);
    const wrongSecret = await raw(h.url, `/v1/payment_intents/${pi.id}?client_secret=nope`, {
      key: PK,
    });
    expect(wrongSecret.status).toBe(400);
    const ok = await raw(h.url, `/v1/payment_intents/${pi.id}?client_secret=${secret}`, {
      key: PK,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: pi.id, status: 'requires_payment_method', amount: 1000 });
    expect(ok.body).not.toHaveProperty('metadata');

    const wrongConfirm = await raw(h.url, `/v1/payment_intents/${pi.id}/confirm`, {
      key: PK,
      form: 'payment_method=pm_card_visa&client_secret=nope',
    });
    expect(wrongConfirm.status).toBe(400);
    // Stripe.js style: the key travels in the body, so no preflight is needed.
    const confirmed = await raw(h.url, `/v1/payment_intents/${pi.id}/confirm`, {
      key: null,
      form: `key=${PK}&client_secret=${secret}&payment_method_data[type]=card&payment_method_data[card][number]=4242424242424242&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2040&payment_method_data[card][cvc]=123`,
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('succeeded');
    expect(confirmed.headers.get('access-control-allow-origin')).toBe('*');

    const declined = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const decline = await raw(h.url, `/v1/payment_intents/${declined.id}/confirm`, {
      key: PK,
      form: `client_secret=${String(declined.client_secret)}&payment_method=pm_card_chargeDeclined`,
    });
    expect(decline.status).toBe(402);
    expect(decline.body.error).toMatchObject({ type: 'card_error', code: 'card_declined' });
    expect((decline.body.error as { payment_intent: object }).payment_intent).not.toHaveProperty(
      'metadata',
    );
  });

  it('answers CORS preflight for the browser endpoints', async () => {
    h = await startHarness();
    const res = await fetch(`${h.url}/v1/payment_intents/pi_x/confirm`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Content-Type/);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });
});

describe('mounting', () => {
  it('works as a handler under a path prefix', async () => {
    const emulator = createStripeEmulator({ webhookSecret: WEBHOOK_SECRET });
    // What Express does for app.use('/stripe', handler): strip the mount path from req.url.
    const server = http.createServer((req, res) => {
      if (!req.url?.startsWith('/stripe/')) {
        res.writeHead(404).end();
        return;
      }
      req.url = req.url.slice('/stripe'.length);
      emulator.handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const res = await raw(`http://127.0.0.1:${port}/stripe`, '/v1/payment_intents', {
        form: 'amount=1000&currency=usd',
      });
      expect(res.status).toBe(200);
      expect(res.body.object).toBe('payment_intent');
    } finally {
      await emulator.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});
