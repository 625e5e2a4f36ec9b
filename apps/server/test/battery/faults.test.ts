import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateVideoResponseSchema } from '@app/shared';
import { reconcilePayments } from '../../src/services/payments/reconcile.ts';
import { errorCode, until, type JsonResponse } from './support/client.ts';
import { controlledRenderer } from './support/controlled-renderer.ts';
import { World, type WorldUser } from './support/world.ts';
import { sqliteAdapterInternals } from '../../src/store/sqlite/test-data.ts';

/** Section E of the battery: faults and durability (F2-F4; F1 is in crash.test.ts). */

const BODY = { prompt: 'A calm lake at dawn', durationMinutes: 1, resolution: '720p' };

function generate(w: World, user: WorldUser, key?: string, body: object = BODY) {
  return w.call('POST', '/api/video/generate', {
    token: user.token,
    body,
    headers: key ? { 'Idempotency-Key': key } : {},
  });
}

function expectUnavailable(res: JsonResponse, code: string, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(errorCode(res)).toBe(code);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
}

function signedWebhook(w: World, type: string) {
  const payload = JSON.stringify({
    id: `evt_${randomUUID().replaceAll('-', '')}`,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: `cus_${randomUUID().slice(0, 8)}`, object: 'customer' } },
  });
  const header = w.stripe.webhooks.generateTestHeaderString({
    payload,
    secret: w.config.stripe.webhookSecret,
  });
  return fetch(`${w.baseUrl}/api/payments/webhook`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header },
    body: payload,
  });
}

describe('F2: another connection holds the write lock longer than the busy timeout', () => {
  const r = controlledRenderer('controlled');
  let w: World;
  beforeAll(async () => {
    w = await World.create({
      env: { DB_BUSY_TIMEOUT_MS: '200', VIDEO_CONCURRENCY: '4' },
      renderer: r.renderer,
      verifyOutput: false,
    });
  });
  afterAll(async () => w?.close());

  it('answers 503 with Retry-After (never 500), writes nothing, and works again after', async () => {
    const user = await w.signup();
    await w.grant(user.id, 40);
    const finishing = GenerateVideoResponseSchema.parse((await generate(w, user)).body).video.id;
    const canceling = GenerateVideoResponseSchema.parse((await generate(w, user)).body).video.id;
    await until('renders running', () => r.isRendering(finishing) && r.isRendering(canceling));

    const other = new Database(w.config.databasePath);
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const before = await w.data.countAll();
    const balanceBefore = await w.balance(user.id);
    try {
      const started = Date.now();
      expectUnavailable(await generate(w, user, 'f2-key'), 'SERVICE_UNAVAILABLE', 503);
      expectUnavailable(await generate(w, user), 'SERVICE_UNAVAILABLE', 503);
      const signup = await w.call('POST', '/api/auth/signup', {
        body: {
          email: `f2-${Date.now()}@example.com`,
          password: 'correct horse battery',
          name: 'F2',
        },
      });
      expectUnavailable(signup, 'SERVICE_UNAVAILABLE', 503);
      const intent = await w.call('POST', '/api/payments/create-intent', {
        token: user.token,
        body: { packageId: 1 },
      });
      expectUnavailable(intent, 'SERVICE_UNAVAILABLE', 503);
      const cancel = await w.call('POST', `/api/video/${canceling}/cancel`, { token: user.token });
      expectUnavailable(cancel, 'SERVICE_UNAVAILABLE', 503);
      const hook = await signedWebhook(w, 'customer.created');
      expect(hook.status).toBe(503);
      // The renderer finishes while the database is locked.
      await r.succeed(finishing);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Reads are served.
      const balance = await w.call('GET', '/api/credits/balance', { token: user.token });
      expect(balance.status).toBe(200);
      const video = await w.call('GET', `/api/video/${finishing}`, { token: user.token });
      expect(video.status).toBe(200);
      expect(await w.data.countAll()).toEqual(before);
      expect(await w.balance(user.id)).toBe(balanceBefore);
      expect(Date.now() - started).toBeGreaterThan(200);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }

    // Works again: the refused key was never stored, the cancel goes through, and the render
    // that finished during the outage is resolved.
    const retry = await generate(w, user, 'f2-key');
    expect(retry.status, retry.text).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    const cancel = await w.call('POST', `/api/video/${canceling}/cancel`, { token: user.token });
    expect(cancel.status, cancel.text).toBe(200);
    const finished = await until(
      'the render finished during the lock to be resolved',
      async () => {
        const v = await w.store.findVideo({ id: finishing });
        return v && ['completed', 'failed'].includes(v.status) ? v : undefined;
      },
      5000,
      20,
    );
    expect(finished.status).toBe('completed');
    expect(await w.data.videoEntries({ videoId: finishing })).toEqual([
      { type: 'usage', amount: -5 },
    ]);
    await w.assertInvariants();
  });
});

describe('F3: the database becomes read-only or full', () => {
  let w: World;
  beforeAll(async () => {
    w = await World.create({ env: { VIDEO_CONCURRENCY: '2' } });
  });
  afterAll(async () => w?.close());

  it('read-only connection (query_only): writes get 503 with Retry-After, reads work, nothing partial', async () => {
    const user = await w.signup();
    const before = await w.data.countAll();
    // SQLite's read-only switch on the server's own connection: adapter-level on purpose.
    const { db } = sqliteAdapterInternals(w.store);
    db.pragma('query_only = ON');
    try {
      expectUnavailable(await generate(w, user, 'f3-ro'), 'SERVICE_UNAVAILABLE', 503);
      const signup = await w.call('POST', '/api/auth/signup', {
        body: {
          email: `f3-${Date.now()}@example.com`,
          password: 'correct horse battery',
          name: 'F3',
        },
      });
      expectUnavailable(signup, 'SERVICE_UNAVAILABLE', 503);
      const balance = await w.call('GET', '/api/credits/balance', { token: user.token });
      expect(balance.status).toBe(200);
      expect(await w.data.countAll()).toEqual(before);
    } finally {
      db.pragma('query_only = OFF');
    }
    const again = await generate(w, user, 'f3-ro');
    expect(again.status, again.text).toBe(202);
    await w.assertInvariants();
  });

  it('restarted on a read-only database file: writes (logins too) get 503, signed-in reads work; recovers read-write', async () => {
    const user = await w.signup();
    await w.restart({ readonly: true });
    const before = await w.data.countAll();
    expectUnavailable(await generate(w, user, 'f3-file'), 'SERVICE_UNAVAILABLE', 503);
    // A login records its session, so it is a write too: a clear 503, never a 500.
    const login = await w.call('POST', '/api/auth/login', {
      body: { email: user.email, password: 'correct horse battery' },
    });
    expectUnavailable(login, 'SERVICE_UNAVAILABLE', 503);
    expect((await w.call('GET', '/api/credits/balance', { token: user.token })).status).toBe(200);
    expect(await w.data.countAll()).toEqual(before);
    await w.restart();
    const again = await generate(w, user, 'f3-file');
    expect(again.status, again.text).toBe(202);
    await w.assertInvariants();
  });

  it('full (PRAGMA max_page_count): 507 with Retry-After, no partial transaction, I1-I8 after recovery', async () => {
    const user = await w.signup();
    await w.grant(user.id, 1_000_000);
    // A full disk, made by capping the SQLite file at its current size.
    const { db } = sqliteAdapterInternals(w.store);
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const statuses: number[] = [];
    const refusedKeys: string[] = [];
    const acceptedKeys: string[] = [];
    try {
      let fullInARow = 0;
      for (let i = 0; i < 3000 && fullInARow < 5; i++) {
        const key = `f3-full-${i}`;
        const res = await generate(w, user, key, { ...BODY, prompt: `${i} ${'x'.repeat(1500)}` });
        statuses.push(res.status);
        if (res.status === 507) {
          expectUnavailable(res, 'STORAGE_FULL', 507);
          refusedKeys.push(key);
          fullInARow += 1;
        } else {
          expect(res.status, res.text).toBe(202);
          acceptedKeys.push(key);
          fullInARow = 0;
        }
      }
      expect(refusedKeys.length).toBeGreaterThan(0);
      // Nothing of a refused request was kept: no video, no debit.
      const keys = new Set((await w.data.videosOf({ userId: user.id })).map((v) => v.key));
      for (const key of refusedKeys) expect(keys.has(key), key).toBe(false);
      for (const key of acceptedKeys) expect(keys.has(key), key).toBe(true);
      for (const v of await w.data.videosOf({ userId: user.id })) {
        expect(
          (await w.data.videoEntries({ videoId: v.id })).filter((e) => e.type === 'usage'),
        ).toEqual([{ type: 'usage', amount: -5 }]);
      }
      await w.assertInvariants();
    } finally {
      db.pragma('max_page_count = 1073741823');
    }
    console.log(
      `F3 full: ${acceptedKeys.length} accepted before the database was full, ${refusedKeys.length} refused with 507`,
    );
    const retry = await generate(w, user, refusedKeys[0], {
      ...BODY,
      prompt: `${refusedKeys[0]!.slice('f3-full-'.length)} ${'x'.repeat(1500)}`,
    });
    expect(retry.status, retry.text).toBe(202);
    expect(statuses.filter((s) => s >= 500 && s !== 507)).toEqual([]);
    // Renders that finished while the disk was full are recorded once there is room again.
    const videos = await until(
      'every video completed',
      async () => {
        const all = await w.data.videosOf({ userId: user.id });
        return all.every((v) => v.status === 'completed') ? all : undefined;
      },
      5000,
      20,
    );
    expect(videos.length).toBe(acceptedKeys.length + 1);
    expect(await w.balance(user.id)).toBe(1_000_010 - 5 * videos.length);
    await w.assertInvariants();
  });
});

describe('F4: Stripe down or hanging during create-intent; the renderer hangs', () => {
  const r = controlledRenderer('hanging');
  let w: World;
  beforeAll(async () => {
    w = await World.create({
      env: { VIDEO_RENDER_TIMEOUT_MS: '1000' },
      renderer: r.renderer,
      verifyOutput: false,
    });
  });
  afterAll(async () => w?.close());

  const createIntent = (user: WorldUser) =>
    w.call('POST', '/api/payments/create-intent', { token: user.token, body: { packageId: 1 } });
  const intentsFor = (paymentId: string) =>
    w.emulator.control
      .listAll()
      .paymentIntents.filter((pi) => pi.metadata?.payment_id === paymentId);
  const purchases = (userId: string) =>
    w.data.countRows({ table: 'transactions', where: { user_id: userId, type: 'purchase' } });
  const pendingPaymentOf = async (userId: string) => {
    const [newest] = await w.data.rows({
      table: 'payments',
      columns: ['id'],
      where: { user_id: userId },
      orderBy: 'created_at',
      desc: true,
      limit: 1,
    });
    return newest!.id as string;
  };

  it.each([
    ['resets every connection', 'reset' as const],
    ['answers 503 to every attempt', { status: 503 }],
  ])('Stripe %s: a clear 502, no credits; a later purchase settles once', async (_name, fault) => {
    const user = await w.signup();
    const control = w.emulator.control;
    control.failNext({ method: 'POST', path: '/v1/payment_intents' }, fault, 3);
    const res = await createIntent(user);
    expectUnavailable(res, 'PAYMENT_PROVIDER_UNAVAILABLE', 502);
    expect(res.text).not.toMatch(/stripe|ECONN|socket|stack/i);
    const failed = await pendingPaymentOf(user.id);
    expect(intentsFor(failed)).toEqual([]);
    expect(await w.balance(user.id)).toBe(10);
    control.clearFaults();

    const ok = await createIntent(user);
    expect(ok.status, ok.text).toBe(201);
    const { paymentIntentId } = ok.body as { paymentIntentId: string };
    await w.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' });
    await control.waitForIdle();
    expect(await w.balance(user.id)).toBe(60);
    expect(await purchases(user.id)).toBe(1);
    expect((await w.store.findPayment({ id: failed }))!.credited).toBe(false);
    await w.assertInvariants();
  });

  it('Stripe hangs past the client timeout: 502; the intent it made later settles once, by reconciliation', async () => {
    const user = await w.signup();
    const control = w.emulator.control;
    const path = { method: 'POST', path: '/v1/payment_intents' };
    control.failNext(path, { hangMs: 10_500 }, 1);
    control.failNext(path, 'reset', 2);
    const started = Date.now();
    const res = await createIntent(user);
    console.log(`F4 hang: create-intent answered ${res.status} after ${Date.now() - started} ms`);
    expectUnavailable(res, 'PAYMENT_PROVIDER_UNAVAILABLE', 502);
    const paymentId = await pendingPaymentOf(user.id);
    expect(await w.balance(user.id)).toBe(10);

    // The hung request is processed by Stripe after all: an intent for our payment exists.
    const [intent] = await until('the late PaymentIntent', () => {
      const found = intentsFor(paymentId);
      return found.length > 0 ? found : undefined;
    });
    expect(intentsFor(paymentId).length).toBe(1);
    expect(intent!.amount).toBe(999);
    // The customer pays, but every webhook of it is lost.
    control.dropRate(1);
    control.succeedPaymentIntent(intent!.id);
    await control.waitForIdle();
    control.dropRate(0);
    expect(await w.balance(user.id)).toBe(10);
    expect(await purchases(user.id)).toBe(0);

    const first = await reconcilePayments({ ctx: w.ctx, input: { sinceSeconds: 3600 } });
    expect(first.credited).toBe(1);
    expect(first.anomalies).toEqual([]);
    expect(await w.balance(user.id)).toBe(60);
    const second = await reconcilePayments({ ctx: w.ctx, input: { sinceSeconds: 3600 } });
    expect(second.credited).toBe(0);
    expect(second.updated).toBe(0);
    // A late webhook changes nothing either.
    const succeeded = control
      .listAll()
      .events.find(
        (e) =>
          e.type === 'payment_intent.succeeded' &&
          (e.data.object as { id: string }).id === intent!.id,
      )!;
    const log = await control.deliver(succeeded.id);
    expect(log.map((l) => l.status)).toEqual([200]);
    expect(await w.balance(user.id)).toBe(60);
    expect(await purchases(user.id)).toBe(1);
    await w.assertInvariants();
  }, 60_000);

  it('a hung render is failed and refunded when VIDEO_RENDER_TIMEOUT_MS passes', async () => {
    const user = await w.signup();
    const res = await generate(w, user);
    expect(res.status).toBe(202);
    const id = GenerateVideoResponseSchema.parse(res.body).video.id;
    await until('render start', () => r.isRendering(id));
    const video = await until(
      'timeout',
      async () => {
        const v = await w.store.findVideo({ id });
        return v?.status === 'failed' ? v : undefined;
      },
      5000,
      20,
    );
    expect(video.error).toMatch(/timed out/);
    expect(await w.data.videoEntries({ videoId: id })).toEqual([
      { type: 'usage', amount: -5 },
      { type: 'refund', amount: 5 },
    ]);
    expect(await w.balance(user.id)).toBe(10);
    await w.assertInvariants();
  });
});
