import { mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_PACKAGES, totalCredits } from '@app/shared';
import { DEFAULT_REQUEST_LOG_LIMIT } from '@app/stripe-emulator';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { balanceOf, startPurchase } from '../helpers/payments.ts';
import { buyCredits } from './security-helpers.ts';
import { startServerProcess } from './support/server-process.ts';

/**
 * Issue 10, findings 1 and 2: the same-origin `/emulator/stripe` door forwarded the emulator's
 * whole API (secret-key routes and `/_emulator/*` control routes, under a constant secret key),
 * and the emulator logged every request forever. Each attack below worked on the old code.
 */

const PK = 'pk_test_emulator';
const GUESSED_KEY = 'sk_test_emulator';
const STARTER = CREDIT_PACKAGES[0]!;
const SIGNUP_CREDITS = 10;

let h: Harness;
let alice: TestUser;
let bob: TestUser;
let bobPaid: { paymentIntentId: string };
let bobBalance: number;

beforeAll(async () => {
  // The floods below must reach the emulator, not the server's own per-IP limits.
  h = await createHarness({ RATE_LIMITS_DISABLED: 'true' });
  alice = await h.signup();
  bob = await h.signup();
  bobPaid = await buyCredits(h, bob, STARTER.id);
  bobBalance = await balanceOf(h, bob);
  expect(bobBalance).toBe(SIGNUP_CREDITS + totalCredits(STARTER));
});

afterAll(async () => {
  await h.emulator.control.waitForIdle();
  await h.assertInvariants();
  await h.close();
});

interface ProxyCall {
  method?: string;
  key?: string | null;
  form?: string;
  headers?: Record<string, string>;
}

async function viaProxy(urlPath: string, call: ProxyCall = {}) {
  const headers: Record<string, string> = { ...call.headers };
  const key = call.key === undefined ? GUESSED_KEY : call.key;
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  if (call.form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(`${h.baseUrl}/emulator/stripe${urlPath}`, {
    method: call.method ?? (call.form === undefined ? 'GET' : 'POST'),
    headers,
    body: call.form,
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

/** A 404 in Stripe's error envelope, as the emulator answers an unknown URL. */
function expectNotFound(res: Awaited<ReturnType<typeof viaProxy>>, label: string) {
  expect(res.status, `${label}: ${res.text}`).toBe(404);
  expect(res.body.error, label).toMatchObject({ type: 'invalid_request_error' });
}

async function settled() {
  await h.emulator.control.waitForIdle();
}

describe('the /emulator/stripe proxy', () => {
  it('does not let a user mark their own intent paid (control route, or secret-key confirm)', async () => {
    const intent = await startPurchase(h, alice, STARTER.id);
    const succeed = `/_emulator/payment_intents/${intent.paymentIntentId}/succeed`;
    expectNotFound(await viaProxy(succeed, { form: '' }), 'guessed key');
    // Even the real secret key is refused here: it must never be usable through this door.
    expectNotFound(
      await viaProxy(succeed, { form: '', key: h.config.stripe.secretKey }),
      'real key',
    );
    const confirm = await viaProxy(`/v1/payment_intents/${intent.paymentIntentId}/confirm`, {
      form: 'payment_method=pm_card_visa',
    });
    expect(confirm.status, confirm.text).toBe(403);
    await settled();
    expect(h.emulator.control.getPaymentIntent(intent.paymentIntentId)?.status).toBe(
      'requires_payment_method',
    );
    expect(await balanceOf(h, alice)).toBe(SIGNUP_CREDITS);
  });

  it("does not list anyone's intents or their client secrets", async () => {
    for (const key of [GUESSED_KEY, PK, h.config.stripe.secretKey]) {
      const res = await viaProxy('/v1/payment_intents?limit=100', { key });
      expectNotFound(res, key);
      expect(res.text).not.toContain('_secret_');
    }
    expectNotFound(await viaProxy('/v1/events'), 'events');
    expectNotFound(await viaProxy('/v1/charges'), 'charges');
  });

  it("does not refund or dispute another user's payment", async () => {
    expectNotFound(
      await viaProxy('/v1/refunds', { form: `payment_intent=${bobPaid.paymentIntentId}` }),
      'refund',
    );
    expectNotFound(
      await viaProxy('/_emulator/disputes', { form: `payment_intent=${bobPaid.paymentIntentId}` }),
      'dispute',
    );
    expectNotFound(
      await viaProxy(`/v1/payment_intents/${bobPaid.paymentIntentId}/cancel`, { form: '' }),
      'cancel',
    );
    await settled();
    const state = h.emulator.control.listAll();
    expect(state.refunds).toEqual([]);
    expect(state.disputes).toEqual([]);
    expect(await balanceOf(h, bob)).toBe(bobBalance);
  });

  it('does not read or reset the emulator, move its webhook, or arm faults', async () => {
    const before = h.emulator.control.listAll().paymentIntents.length;
    for (const [method, urlPath, form] of [
      ['GET', '/_emulator/state', undefined],
      ['POST', '/_emulator/reset', ''],
      ['POST', '/_emulator/webhook_url', 'url=http://127.0.0.1:9/hook'],
      ['POST', '/_emulator/faults', 'path=/v1/payment_intents&status=500&times=100'],
      ['POST', '/_emulator/faults', 'path_regex=^(a%2B)%2B$&status=500'],
      ['POST', '/_emulator/delivery/pause', ''],
      ['GET', '/_emulator/requests', undefined],
    ] as const) {
      const res = await viaProxy(urlPath, { method, form });
      expectNotFound(res, urlPath);
      expect(res.text).not.toContain('client_secret');
    }
    expect(h.emulator.control.listAll().paymentIntents).toHaveLength(before);
    // Payments still work and still credit: no fault armed, webhook target unchanged.
    const carol = await h.signup();
    await buyCredits(h, carol, STARTER.id);
    expect(await balanceOf(h, carol)).toBe(SIGNUP_CREDITS + totalCredits(STARTER));
  });

  it('checks the path after resolving dot segments', async () => {
    const { port } = new URL(h.baseUrl);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'GET',
          path: '/emulator/stripe/v1/payment_intents/pi_x/../../../_emulator/state',
          headers: { Authorization: `Bearer ${PK}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
  });

  it('keeps serving the browser card form: publishable key + client secret only', async () => {
    const intent = await startPurchase(h, alice, STARTER.id);
    const id = intent.paymentIntentId;
    const secret = encodeURIComponent(intent.clientSecret);

    const read = await viaProxy(`/v1/payment_intents/${id}?client_secret=${secret}`, { key: PK });
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({ id, status: 'requires_payment_method' });
    expect(read.body).not.toHaveProperty('metadata');
    expect((await viaProxy(`/v1/payment_intents/${id}`, { key: PK })).status).toBe(400);
    expect(
      (await viaProxy(`/v1/payment_intents/${id}?client_secret=${id}_secret_nope`, { key: PK }))
        .status,
    ).toBe(400);
    expect((await viaProxy(`/v1/payment_intents/${id}`, { key: null })).status).toBe(401);
    expect(
      (await viaProxy(`/v1/payment_intents/${id}?client_secret=${secret}&key=${GUESSED_KEY}`))
        .status,
    ).toBe(403);

    const card = (number: string) =>
      `payment_method_data[type]=card&payment_method_data[card][number]=${number}` +
      '&payment_method_data[card][exp_month]=12&payment_method_data[card][exp_year]=2040' +
      '&payment_method_data[card][cvc]=123';
    const noSecret = await viaProxy(`/v1/payment_intents/${id}/confirm`, {
      key: PK,
      form: card('4000002760003184'),
    });
    expect(noSecret.status, noSecret.text).toBe(400);
    const threeDs = await viaProxy(`/v1/payment_intents/${id}/confirm`, {
      key: PK,
      form: `client_secret=${secret}&${card('4000002760003184')}`,
    });
    expect(threeDs.status, threeDs.text).toBe(200);
    expect(threeDs.body.status).toBe('requires_action');
    expect(
      (
        await viaProxy(`/v1/payment_intents/${id}/authenticate`, {
          key: PK,
          form: 'outcome=approve',
        })
      ).status,
    ).toBe(400);
    const approved = await viaProxy(`/v1/payment_intents/${id}/authenticate`, {
      key: PK,
      form: `client_secret=${secret}&outcome=approve`,
    });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.status).toBe('succeeded');

    const second = await startPurchase(h, alice, STARTER.id);
    const paid = await viaProxy(`/v1/payment_intents/${second.paymentIntentId}/confirm`, {
      key: PK,
      form: `client_secret=${encodeURIComponent(second.clientSecret)}&${card('4242424242424242')}`,
    });
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body.status).toBe('succeeded');

    await settled();
    expect(await balanceOf(h, alice)).toBe(SIGNUP_CREDITS + 2 * totalCredits(STARTER));
  });
});

describe("the emulator's keys", () => {
  it('refuse a guessed secret key on the emulator port itself', async () => {
    const res = await fetch(`${h.emulatorUrl}/v1/payment_intents`, {
      headers: { Authorization: `Bearer ${GUESSED_KEY}` },
    });
    expect(res.status).toBe(401);
    expect(h.config.stripe.secretKey).toMatch(/^sk_test_[0-9a-f]{48}$/);
    const keyFile = path.join(h.dir, 'emulator-secret-key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('are not in /api/config (only the publishable key is)', async () => {
    const res = await h.http().get('/api/config');
    expect(res.status).toBe(200);
    expect(res.body.stripePublishableKey).toBe(PK);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(h.config.stripe.secretKey);
    expect(text).not.toContain('sk_test');
    expect(text).not.toContain(h.config.stripe.webhookSecret);
    expect(text).not.toContain('whsec_');
  });
});

describe("the emulator's request log", () => {
  it(`stays at ${DEFAULT_REQUEST_LOG_LIMIT} entries after 5,000 unanswerable requests`, async () => {
    const targets = [
      // Through the door: allowed, so they reach the emulator (and fail without a client secret).
      () =>
        fetch(`${h.baseUrl}/emulator/stripe/v1/payment_intents/pi_flood`, {
          headers: { Authorization: `Bearer ${PK}` },
        }),
      // Straight at the emulator's port, unauthenticated.
      () => fetch(`${h.emulatorUrl}/v1/payment_intents`),
    ];
    const total = 5000;
    const statuses = new Map<number, number>();
    let sent = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (sent < total) {
          const n = sent++;
          const res = await targets[n % 2]!();
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 401: total / 2, 404: total / 2 });
    expect(h.emulator.control.requestLog.length).toBe(DEFAULT_REQUEST_LOG_LIMIT);
  });
});

describe('listen address in emulator mode', () => {
  it('is 127.0.0.1 when HOST is not set, and the start-up log says so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'emu-host-'));
    try {
      const proc = await startServerProcess(dir, { HOST: '', VIDEO_RENDERER: 'noop' });
      try {
        const note = 'emulator (test) mode: listening on 127.0.0.1 only';
        // Printed right after the listening line, maybe in a later chunk.
        for (let i = 0; i < 100 && !proc.output().includes(note); i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(proc.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
        expect(proc.output()).toContain(note);
        expect(proc.output()).not.toContain('sk_test_');
      } finally {
        await proc.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
