import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { statSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sqliteAdapterInternals } from '../../src/store/sqlite/test-data.ts';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { hangingRenderer } from '../helpers/renderers.ts';
import { generate, ONE_MINUTE_720P } from '../helpers/video.ts';

/**
 * G / X1, X2 (in-process part): what one account or one address can make the server hold —
 * live progress streams, remembered Idempotency-Keys, rows and bytes in the database — is
 * bounded, every POST is throttled, and a body built to blow the stack is a 400.
 */

const idempotencyRows = (h: Harness) => h.data.countRows({ table: 'idempotency_keys' });
const longKey = (i: number) => `${String(i).padStart(6, '0')}-${'k'.repeat(248)}`;

/** The database's size once everything committed is in the main file (a SQLite file's). */
function databaseBytes(h: Harness): number {
  sqliteAdapterInternals(h.store).db.pragma('wal_checkpoint(TRUNCATE)');
  return statSync(h.config.databasePath).size;
}

describe('X1: live progress streams per user and in total', () => {
  let h: Harness;
  let alice: TestUser;
  let bob: TestUser;
  let videoOf: Map<string, string>;
  const open: http.ClientRequest[] = [];

  beforeAll(async () => {
    // Renders that never finish, so the streams stay open; hundreds of short-lived
    // connections from one address, so no per-address socket cap here.
    h = await createHarness(
      { SSE_MAX_PER_USER: '10', SSE_MAX_TOTAL: '13', MAX_CONNECTIONS_PER_IP: '0' },
      { renderer: hangingRenderer() },
    );
    alice = await h.signup();
    bob = await h.signup();
    videoOf = new Map();
    for (const u of [alice, bob]) {
      const res = await generate(h, u, ONE_MINUTE_720P);
      expect(res.status).toBe(202);
      videoOf.set(u.id, res.body.video.id as string);
    }
  });
  afterEach(() => {
    for (const req of open.splice(0)) req.destroy();
  });
  afterAll(() => h.close());

  /** Opens a stream; resolves with its status once the headers arrive (the stream stays open). */
  function openStream(u: TestUser): Promise<number> {
    const port = (h.server.address() as AddressInfo).port;
    return new Promise((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port,
          path: `/api/video/${videoOf.get(u.id)}/events`,
          headers: u.auth,
          agent: false,
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            req.destroy();
          }
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      open.push(req);
    });
  }

  it('the 11th stream of one user gets 429, however many are tried; closing one frees a slot', async () => {
    const first = await Promise.all(Array.from({ length: 10 }, () => openStream(alice)));
    expect(first).toEqual(Array(10).fill(200));
    const extra: number[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      extra.push(...(await Promise.all(Array.from({ length: 50 }, () => openStream(alice)))));
    }
    expect(new Set(extra)).toEqual(new Set([429]));
    expect(h.deps.sseStreams.openCount).toBe(10);

    open[0]!.destroy();
    await expect.poll(() => h.deps.sseStreams.openCount).toBe(9);
    expect(await openStream(alice)).toBe(200);
    // The balance still answers while the streams are open.
    const balance = await h.http().get('/api/credits/balance').set(alice.auth);
    expect(balance.status).toBe(200);
  });

  it('a global cap applies across users', async () => {
    expect(await Promise.all(Array.from({ length: 10 }, () => openStream(alice)))).toEqual(
      Array(10).fill(200),
    );
    await expect.poll(() => h.deps.sseStreams.openCount).toBe(10);
    expect(await Promise.all(Array.from({ length: 4 }, () => openStream(bob)))).toEqual([
      200, 200, 200, 429,
    ]);
  });
});

describe('X2: floods that would make the server remember things', () => {
  let h: Harness;
  let user: TestUser;

  beforeAll(async () => {
    h = await createHarness({ IDEMPOTENCY_MAX_KEYS_PER_USER: '25' }, { startWorker: false });
    user = await h.signup();
  });
  afterAll(() => h.close());

  it('a cost quote with an Idempotency-Key stores nothing', async () => {
    const before = await idempotencyRows(h);
    const bytesBefore = databaseBytes(h);
    const quoter = await h.signup();
    for (let i = 0; i < 400; i += 1) {
      const res = await h
        .http()
        .post('/api/credits/calculate-cost')
        .set(quoter.auth)
        .set('Idempotency-Key', longKey(i))
        .send({ durationMinutes: 3, resolution: '1080p', customMusic: true });
      expect(res.status).toBe(200);
    }
    expect(await idempotencyRows(h)).toBe(before);
    expect(databaseBytes(h) - bytesBefore).toBeLessThan(64 * 1024);
  });

  it('requests that changed nothing (404, 409, 400) do not keep their key', async () => {
    const before = await idempotencyRows(h);
    const canceller = await h.signup();
    for (let i = 0; i < 20; i += 1) {
      const res = await h
        .http()
        .post('/api/video/00000000-0000-7000-8000-000000000000/cancel')
        .set(canceller.auth)
        .set('Idempotency-Key', `cancel-${i}`)
        .send({});
      expect(res.status).toBe(404);
    }
    // The key is released just after the answer is sent.
    await expect.poll(() => idempotencyRows(h)).toBe(before);
  });

  it('one user cannot make the server remember more than the configured number of keys', async () => {
    const before = await idempotencyRows(h);
    const statuses: number[] = [];
    // 60 minutes of 1080p costs far more than the 10 signup credits: every accepted one is a 402.
    for (let i = 0; i < 80; i += 1) {
      const res = await generate(
        h,
        user,
        { ...ONE_MINUTE_720P, durationMinutes: 60, resolution: '1080p' },
        `flood-${i}`,
      );
      statuses.push(res.status);
      if (res.status === 429) expect(res.body.error.code).toBe('RATE_LIMITED');
    }
    expect(statuses.filter((s) => s === 402).length).toBeLessThanOrEqual(25);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(55);
    expect((await idempotencyRows(h)) - before).toBeLessThanOrEqual(25);
    const balance = await h.http().get('/api/credits/balance').set(user.auth);
    expect(balance.body.creditBalance).toBe(10);
    await h.assertInvariants();
  });
});

describe('X2: every POST is throttled, per user and per address', () => {
  it('per user: writes past the budget get 429 and move nothing', async () => {
    const h = await createHarness({ RATE_LIMIT_WRITES_PER_USER_PER_MINUTE: '5' });
    try {
      const user = await h.signup();
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1) {
        const res = await h
          .http()
          .post('/api/credits/calculate-cost')
          .set(user.auth)
          .send({ durationMinutes: 1, resolution: '720p' });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      const cancel = await h
        .http()
        .post('/api/video/00000000-0000-7000-8000-000000000000/cancel')
        .set(user.auth)
        .send({});
      expect(cancel.status).toBe(429);
      expect(cancel.headers['retry-after']).toMatch(/^\d+$/);
      // Reads are not writes.
      expect((await h.http().get('/api/credits/balance').set(user.auth)).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('per address: anonymous writes past the budget get 429', async () => {
    const h = await createHarness({ RATE_LIMIT_WRITES_PER_IP_PER_MINUTE: '6' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 9; i += 1) {
        const res = await h
          .http()
          .post('/api/auth/login')
          .send({ email: `nobody${i}@example.com`, password: 'wrong password here' });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429, 429]);
    } finally {
      await h.close();
    }
  });

  it('per address: all API requests share a budget', async () => {
    const h = await createHarness({ RATE_LIMIT_API_PER_IP_PER_MINUTE: '4' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await h.http().get('/api/config')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      // Liveness is never throttled.
      expect((await h.http().get('/healthz')).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe('hostile bodies and response headers', () => {
  let h: Harness;
  let user: TestUser;
  beforeAll(async () => {
    h = await createHarness({}, { startWorker: false });
    user = await h.signup();
  });
  afterAll(() => h.close());

  it('deeply nested JSON with an Idempotency-Key is a 400, not a stack overflow', async () => {
    const depth = 49_000;
    const body = '['.repeat(depth) + ']'.repeat(depth);
    for (const [path, key] of [
      ['/api/video/generate', 'deep-1'],
      ['/api/payments/create-intent', 'deep-2'],
      ['/api/video/generate', undefined],
    ] as const) {
      const req = h.http().post(path).set(user.auth).set('Content-Type', 'application/json');
      if (key) req.set('Idempotency-Key', key);
      const res = await req.send(body);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    const nestedObject = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    const res = await h
      .http()
      .post('/api/credits/calculate-cost')
      .set(user.auth)
      .set('Content-Type', 'application/json')
      .send(nestedObject);
    expect(res.status).toBe(400);
  });

  it('authenticated API responses are never stored by caches', async () => {
    for (const path of ['/api/credits/balance', '/api/credits/transactions', '/api/auth/me']) {
      const res = await h.http().get(path).set(user.auth);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
    const refused = await h.http().get('/api/credits/balance');
    expect(refused.headers['cache-control']).toBe('no-store');
  });
});
