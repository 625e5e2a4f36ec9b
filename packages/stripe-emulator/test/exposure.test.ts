import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createStripeEmulator,
  DEFAULT_REQUEST_LOG_LIMIT,
  type StripeEmulator,
} from '../src/index.ts';
import { raw, SECRET_KEY, startHarness, WEBHOOK_SECRET, type Harness } from './helpers.ts';

// Issue 10, findings 1 and 2: what reaches the emulator over HTTP, and what it keeps.

let h: Harness | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const c of cleanups.splice(0)) await c();
});

async function listening(emulator: StripeEmulator): Promise<string> {
  const { url } = await emulator.listen();
  cleanups.push(() => emulator.close());
  return url;
}

const CONTROL_CALLS: Array<[string, string, string?]> = [
  ['GET', '/_emulator/state'],
  ['POST', '/_emulator/reset', ''],
  ['GET', '/_emulator/requests'],
  ['POST', '/_emulator/faults', 'path=/v1/payment_intents&status=500'],
  ['POST', '/_emulator/payment_intents/pi_x/succeed', ''],
];

describe('the control API', () => {
  it('is off unless controlApi is set, even with the right secret key', async () => {
    const emulator = createStripeEmulator({ webhookSecret: WEBHOOK_SECRET, secretKey: SECRET_KEY });
    const url = await listening(emulator);
    const pi = await raw(url, '/v1/payment_intents', { form: 'amount=1000&currency=usd' });
    expect(pi.status).toBe(200);
    for (const [method, path, form] of CONTROL_CALLS) {
      const res = await raw(url, path, { method, form });
      expect(res.status, path).toBe(404);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error' });
    }
    expect(emulator.control.listAll().paymentIntents).toHaveLength(1);
    expect((await raw(url, '/v1/payment_intents')).status).toBe(200);
  });

  it('is never served by the mountable handler', async () => {
    const emulator = createStripeEmulator({
      webhookSecret: WEBHOOK_SECRET,
      secretKey: SECRET_KEY,
      controlApi: true,
    });
    cleanups.push(() => emulator.close());
    const server = http.createServer(emulator.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const [method, path, form] of CONTROL_CALLS) {
      expect((await raw(url, path, { method, form })).status, path).toBe(404);
    }
  });

  it('is served on loopback addresses only', async () => {
    const emulator = createStripeEmulator({ webhookSecret: WEBHOOK_SECRET, controlApi: true });
    cleanups.push(() => emulator.close());
    await expect(emulator.listen(0, '0.0.0.0')).rejects.toThrow(/loopback/);
  });

  it('has no route that changes the webhook URL', async () => {
    h = await startHarness();
    const res = await raw(h.url, '/_emulator/webhook_url', { form: 'url=http://10.0.0.1/' });
    expect(res.status).toBe(404);
    await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await h.receiver.waitFor(1);
  });

  it('takes the key from the Authorization header only, and sends no CORS headers', async () => {
    h = await startHarness();
    await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    // A cross-site form post carries its key in the body; it must not reach the control API.
    const formPost = await raw(h.url, '/_emulator/reset', { key: null, form: `key=${SECRET_KEY}` });
    expect(formPost.status).toBe(401);
    expect(h.emulator.control.listAll().paymentIntents).toHaveLength(1);
    const state = await raw(h.url, '/_emulator/state');
    expect(state.status).toBe(200);
    expect(state.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${h.url}/_emulator/reset`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('fault rules', () => {
  it('refuse path_regex over HTTP and arm nothing', async () => {
    h = await startHarness();
    const res = await raw(h.url, '/_emulator/faults', {
      json: { method: 'POST', path_regex: '^(a+)+$', status: 500 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ param: 'path_regex' });
    const withPath = await raw(h.url, '/_emulator/faults', {
      json: { path: '/v1/refunds', path_regex: '.*', status: 500 },
    });
    expect(withPath.status).toBe(400);
    await expect(
      h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' }),
    ).resolves.toMatchObject({ object: 'payment_intent' });
  });

  it('refuse a RegExp in the programmatic API', async () => {
    h = await startHarness();
    const path = /^\/v1\// as unknown as string;
    expect(() => h!.emulator.control.failNext({ method: '*', path }, { status: 500 })).toThrow(
      /literal path/,
    );
  });

  it("match a prefix ending in '*'", async () => {
    h = await startHarness();
    const armed = await raw(h.url, '/_emulator/faults', {
      form: 'method=GET&path=/v1/payment_intents/*&status=503',
    });
    expect(armed.status).toBe(200);
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await expect(h.stripe.paymentIntents.retrieve(pi.id)).rejects.toMatchObject({
      statusCode: 503,
    });
  });
});

describe('the request log', () => {
  it(`keeps at most ${DEFAULT_REQUEST_LOG_LIMIT} entries under a flood of unauthenticated requests`, async () => {
    const emulator = createStripeEmulator({ webhookSecret: WEBHOOK_SECRET, secretKey: SECRET_KEY });
    const url = await listening(emulator);
    const total = 5000;
    const concurrency = 25;
    let sent = 0;
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (sent < total) {
          const n = sent++;
          const res = await fetch(`${url}/v1/payment_intents?n=${n}`);
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    expect(statuses.get(401)).toBe(total);
    const log = emulator.control.requestLog;
    expect(log).toHaveLength(DEFAULT_REQUEST_LOG_LIMIT);
    expect(log.every((e) => e.status === 401)).toBe(true);

    // The newest request is kept, and header-sized values are clipped.
    await raw(url, '/v1/payment_intents', {
      form: 'amount=1000&currency=usd',
      headers: { 'Idempotency-Key': 'k'.repeat(5000) },
    });
    expect(log).toHaveLength(DEFAULT_REQUEST_LOG_LIMIT);
    const last = log[log.length - 1]!;
    expect(last.status).toBe(200);
    expect(last.idempotencyKey!.length).toBeLessThan(300);
  });

  it('honours requestLogLimit', async () => {
    h = await startHarness({ requestLogLimit: 3 });
    for (let i = 0; i < 5; i += 1)
      await h.stripe.paymentIntents.create({ amount: 1000 + i, currency: 'usd' });
    expect(h.emulator.control.requestLog).toHaveLength(3);
    expect((await raw(h.url, '/_emulator/requests')).body.data).toHaveLength(3);
  });
});
