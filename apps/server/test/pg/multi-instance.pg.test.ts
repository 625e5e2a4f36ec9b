import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateVideoResponseSchema } from '@app/shared';
import { sleep, until } from '../battery/support/client.ts';
import { startFleet, WEBHOOK_SECRET, type Fleet } from './instances.ts';

/**
 * Battery section H (M1-M6): two real server processes on one PostgreSQL database, separate
 * data directories, one shared video directory, real HTTP.
 */

const body = { prompt: 'Two instances, one ledger', durationMinutes: 1, resolution: '720p' };
const COST = 5;

async function generate(f: Fleet, node: number, token: string, key?: string, b: object = body) {
  return f.call(node, 'POST', '/api/video/generate', {
    token,
    body: b,
    headers: key ? { 'Idempotency-Key': key } : {},
  });
}

async function entriesOf(f: Fleet, userId: string) {
  const c = await f.store.pool.connect();
  try {
    return (
      await c.query<{ type: string; amount: number; reference_id: string }>(
        'SELECT type, amount, reference_id FROM transactions WHERE user_id = $1 ORDER BY id',
        [userId],
      )
    ).rows;
  } finally {
    c.release();
  }
}

async function videoRow(f: Fleet, id: string) {
  const r = await f.store.pool.query(
    'SELECT status, attempts, file_path, lease_owner, credits_refunded FROM video_generations WHERE id = $1',
    [id],
  );
  return r.rows[0] as {
    status: string;
    attempts: number;
    file_path: string | null;
    lease_owner: string | null;
    credits_refunded: number;
  };
}

/** The server's ffmpeg child, once a render has started it. */
function ffmpegChildOf(pid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (m && m[1] === 'ffmpeg' && Number(m[2]) === pid) return Number(entry);
    } catch {
      // ended while we looked
    }
  }
  return undefined;
}

/** `pnpm ledger:verify` against the PostgreSQL database (the CLI itself). */
function ledgerVerify(f: Fleet): { code: number | null; output: string } {
  // The CLI runs with the servers' environment (their DATABASE_URL and Stripe settings).
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/ledger-verify.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...f.env,
    },
    encoding: 'utf8',
  });
  return { code: r.status, output: r.stdout + r.stderr };
}

describe('H: two instances on one PostgreSQL database (noop renders)', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet(2);
  }, 120_000);
  afterAll(async () => f?.close());

  it('M1: 200 concurrent generates split across both against 100 credits at cost 5: exactly 20 accepted, 10 rounds, ledger:verify clean', async () => {
    for (let round = 0; round < 10; round++) {
      const user = await f.signup(round % 2);
      await f.grant(user.id, 100 - (await f.balance(user.id)));
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => generate(f, i % 2, user.token)),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 202)).toHaveLength(20);
      expect(statuses.filter((s) => s === 402)).toHaveLength(180);
      expect(await f.balance(user.id)).toBe(0);
    }
    await f.assertInvariants();
    const verify = ledgerVerify(f);
    expect(verify.code, verify.output).toBe(0);
  }, 180_000);

  it('M2: one Idempotency-Key sent to both at once, 50 times: one debit, 49 identical replays, no 5xx', async () => {
    const user = await f.signup();
    await f.grant(user.id, 100);
    const before = await f.balance(user.id);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => generate(f, i % 2, user.token, 'm2-one-key')),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(202));
    expect(new Set(results.map((r) => r.text)).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(49);
    expect(await f.balance(user.id)).toBe(before - COST);
  }, 60_000);

  it('M3: one signed event delivered to both at once credits once; two partial refunds at once claw back the final share; confirm racing the webhook credits once', async () => {
    const user = await f.signup();
    const start = await f.call(0, 'POST', '/api/payments/create-intent', {
      token: user.token,
      body: { packageId: 2 },
    });
    expect(start.status, start.text).toBe(201);
    const { paymentIntentId } = start.body as { paymentIntentId: string };
    await f.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' });
    const events = await f.stripe.events.list({ type: 'payment_intent.succeeded', limit: 10 });
    const event = events.data.find(
      (e) => (e.data.object as { id: string }).id === paymentIntentId,
    )!;
    const payload = JSON.stringify(event);
    const header = f.stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const deliver = (node: number) =>
      fetch(`${f.nodes[node]!.baseUrl}/api/payments/webhook`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header },
        body: payload,
      });
    const confirm = (node: number) =>
      f.call(node, 'POST', '/api/payments/confirm', {
        token: user.token,
        body: { paymentIntentId },
      });
    const [w1, w2, c1, c2] = await Promise.all([deliver(0), deliver(1), confirm(1), confirm(0)]);
    expect([w1.status, w2.status]).toEqual([200, 200]);
    expect([c1.status, c2.status]).toEqual([200, 200]);
    const purchases = (await entriesOf(f, user.id)).filter((e) => e.type === 'purchase');
    expect(purchases).toHaveLength(1);
    const credits = purchases[0]!.amount;

    // Two partial refunds at Stripe, their webhooks delivered at once to both instances.
    const payment = (await f.store.findPaymentByIntent({ paymentIntentId }))!;
    const third = Math.floor(payment.amountCents / 3);
    await f.stripe.refunds.create({ payment_intent: paymentIntentId, amount: third });
    await f.stripe.refunds.create({ payment_intent: paymentIntentId, amount: third });
    const refunds = (await f.stripe.events.list({ type: 'charge.refunded', limit: 10 })).data
      .filter(
        (e) => (e.data.object as { payment_intent: string }).payment_intent === paymentIntentId,
      )
      .reverse();
    expect(refunds).toHaveLength(2);
    await Promise.all(
      refunds.flatMap((e) => {
        const p = JSON.stringify(e);
        const h = f.stripe.webhooks.generateTestHeaderString({
          payload: p,
          secret: WEBHOOK_SECRET,
        });
        return [0, 1].map((node) =>
          fetch(`${f.nodes[node]!.baseUrl}/api/payments/webhook`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Stripe-Signature': h },
            body: p,
          }),
        );
      }),
    );
    const clawed = (await entriesOf(f, user.id))
      .filter((e) => e.type === 'clawback')
      .reduce((s, e) => s - e.amount, 0);
    expect(clawed).toBe(Math.floor((credits * 2 * third) / payment.amountCents));
    await f.assertInvariants();
  }, 60_000);

  it('M6: the database refusing connections, then read-only, under load: 503 with Retry-After, recovery without restarting the instances, invariants hold', async () => {
    const user = await f.signup();
    await f.grant(user.id, 10_000);
    const admin = new pg.Client({
      connectionString: f.db.adminUrl.replace(`/${f.db.name}`, '/postgres'),
    });
    await admin.connect();
    try {
      let load = true;
      const seen: { status: number; retryAfter: string | null; text?: string; ms?: number }[] = [];
      const loader = (async () => {
        for (let i = 0; load; i++) {
          const t0 = Date.now();
          // A refused connection (an instance died) is recorded as 0 and fails the test.
          const r = await generate(f, i % 2, user.token).catch((err: Error) => err);
          if (r instanceof Error) {
            const cause = (r as Error & { cause?: unknown }).cause;
            seen.push({ status: 0, retryAfter: null, text: `${r.message}: ${String(cause)}` });
          } else {
            seen.push({
              ms: Date.now() - t0,
              status: r.status,
              retryAfter: r.headers.get('retry-after'),
              ...(r.status >= 500 ? { text: r.text.slice(0, 120) } : {}),
            });
          }
          await sleep(5);
        }
      })();
      const waitFor = (what: string, ok: () => boolean) =>
        until(what, ok, 20_000).catch((err: Error) => {
          throw new Error(
            `${err.message}; ${seen.length} answers, last: ${JSON.stringify(seen.slice(-4))}`,
          );
        });
      await sleep(300);
      // "Restarted": every connection to this database dropped, new ones refused for a while.
      await admin.query(`ALTER DATABASE ${f.db.name} ALLOW_CONNECTIONS false`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [f.db.name],
      );
      await waitFor('503s while the database is down', () => seen.some((s) => s.status === 503));
      await admin.query(`ALTER DATABASE ${f.db.name} ALLOW_CONNECTIONS true`);
      const mark = seen.length;
      await waitFor('202s again', () => seen.slice(mark).some((s) => s.status === 202));
      // Read-only: new sessions of this database refuse writes.
      await admin.query(`ALTER DATABASE ${f.db.name} SET default_transaction_read_only = on`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [f.db.name],
      );
      const roMark = seen.length;
      await waitFor(
        'writes refused while read-only',
        () => seen.slice(roMark).filter((s) => s.status === 503).length >= 3,
      );
      await admin.query(`ALTER DATABASE ${f.db.name} RESET default_transaction_read_only`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [f.db.name],
      );
      const back = seen.length;
      await waitFor('202s after read-only', () => seen.slice(back).some((s) => s.status === 202));
      load = false;
      await loader;
      const unexpected = seen.filter((s) => ![202, 503].includes(s.status));
      expect(
        unexpected,
        JSON.stringify(unexpected.slice(0, 3)) +
          f.nodes.map((n) => `\n--- ${n.baseUrl}\n${n.output().slice(-3000)}`).join(''),
      ).toEqual([]);
      expect(seen.filter((s) => s.status === 503).every((s) => s.retryAfter !== null)).toBe(true);
      const accepted = seen.filter((s) => s.status === 202).length;
      const usage = (await entriesOf(f, user.id)).filter((e) => e.type === 'usage');
      // A 503 may hide a committed charge (the connection died after COMMIT), never a lost one.
      expect(usage.length).toBeGreaterThanOrEqual(accepted);
    } finally {
      await admin
        .query(`ALTER DATABASE ${f.db.name} ALLOW_CONNECTIONS true`)
        .catch(() => undefined);
      await admin
        .query(`ALTER DATABASE ${f.db.name} RESET default_transaction_read_only`)
        .catch(() => undefined);
      await admin.end();
    }
    await f.store.pool.query('SELECT 1').catch(() => undefined);
    await f.assertInvariants();
  }, 120_000);
});

describe('H: two instances on one PostgreSQL database (ffmpeg renders, 1.5 s leases)', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet(2, { VIDEO_RENDERER: 'ffmpeg', VIDEO_CONCURRENCY: '1' });
  }, 120_000);
  afterAll(async () => f?.close());

  const TEN_MIN = { prompt: 'A long render', durationMinutes: 10, resolution: '1080p' };

  async function frozenRender(token: string) {
    const res = await generate(f, 0, token, undefined, TEN_MIN);
    expect(res.status, res.text).toBe(202);
    const video = GenerateVideoResponseSchema.parse(res.body).video;
    const { node, ffmpeg } = await until(
      'a render started',
      () => {
        for (let i = 0; i < f.nodes.length; i++) {
          const ffmpeg = ffmpegChildOf(f.nodes[i]!.pid);
          if (ffmpeg) return { node: i, ffmpeg };
        }
        return undefined;
      },
      20_000,
      20,
    );
    process.kill(ffmpeg, 'SIGSTOP');
    return { video, node, ffmpeg };
  }

  it('M5: cancel on one instance stops the render on the other, one refund; an SSE stream on the first sees the terminal state', async () => {
    const user = await f.signup();
    await f.grant(user.id, 100);
    const { video, node, ffmpeg } = await frozenRender(user.token);
    const other = 1 - node;
    // The stream is opened on the instance that is NOT rendering.
    const controller = new AbortController();
    const stream = await fetch(`${f.nodes[other]!.baseUrl}/api/video/${video.id}/events`, {
      headers: { Authorization: `Bearer ${user.token}` },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let text = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
      }
    })().catch(() => undefined);
    const canceled = await f.call(other, 'POST', `/api/video/${video.id}/cancel`, {
      token: user.token,
    });
    expect(canceled.status, canceled.text).toBe(200);
    // The renderer on the other instance is stopped (NOTIFY, else its next heartbeat).
    await until(
      'the render stopped',
      () => !existsSync(`/proc/${ffmpeg}`) || undefined,
      10_000,
      20,
    );
    await until('the stream saw the cancel', () => text.includes('"canceled"'), 10_000, 20);
    controller.abort();
    await reading;
    const refunds = (await entriesOf(f, user.id)).filter((e) => e.type === 'refund');
    expect(refunds).toHaveLength(1);
    expect((await videoRow(f, video.id)).status).toBe('canceled');
    await f.assertInvariants();
  }, 60_000);

  it('M4: SIGKILL of the instance rendering a video: the other renders it after the lease, charged once', async () => {
    const user = await f.signup();
    await f.grant(user.id, 100);
    const { video, node, ffmpeg } = await frozenRender(user.token);
    await f.kill(node);
    process.kill(ffmpeg, 'SIGKILL');
    await until(
      'the other instance completed it',
      async () => (await videoRow(f, video.id)).status === 'completed' || undefined,
      60_000,
      100,
    );
    const row = await videoRow(f, video.id);
    expect(row.attempts).toBe(2);
    expect(row.file_path).toMatch(/-2\.mp4$/);
    expect(existsSync(path.join(f.videoDir, row.file_path!))).toBe(true);
    const entries = await entriesOf(f, user.id);
    expect(entries.filter((e) => e.reference_id === video.id)).toEqual([
      expect.objectContaining({ type: 'usage' }),
    ]);
    await f.restart(node);
    await f.assertInvariants();
  }, 120_000);

  it('M4: a worker stopped (SIGSTOP) past its lease and resumed can neither finish the job nor delete the file', async () => {
    const user = await f.signup();
    await f.grant(user.id, 100);
    const { video, node, ffmpeg } = await frozenRender(user.token);
    const stale = f.nodes[node]!;
    process.kill(stale.pid, 'SIGSTOP');
    // Its own render may now finish writing its file; nobody there can record it.
    process.kill(ffmpeg, 'SIGCONT');
    await until(
      'the other instance completed it',
      async () => (await videoRow(f, video.id)).status === 'completed' || undefined,
      60_000,
      100,
    );
    const winner = await videoRow(f, video.id);
    expect(winner.attempts).toBe(2);
    process.kill(stale.pid, 'SIGCONT');
    // The stale worker finds its lease gone: no change, only its own attempt's file removed.
    await until(
      'the stale attempt cleaned up',
      () => !existsSync(path.join(f.videoDir, `${video.id}-1.mp4`)) || undefined,
      20_000,
      50,
    );
    await sleep(500);
    const after = await videoRow(f, video.id);
    expect(after).toEqual(winner);
    expect(existsSync(path.join(f.videoDir, after.file_path!))).toBe(true);
    const entries = await entriesOf(f, user.id);
    expect(entries.filter((e) => e.reference_id === video.id).map((e) => e.type)).toEqual([
      'usage',
    ]);
    await f.assertInvariants();
  }, 120_000);

  it("restarting one instance does not disturb the other one's render", async () => {
    const user = await f.signup();
    await f.grant(user.id, 100);
    const { video, node, ffmpeg } = await frozenRender(user.token);
    await f.restart(1 - node);
    await sleep(2500); // longer than a lease: the restarted instance must not take it
    expect(await videoRow(f, video.id)).toMatchObject({ status: 'processing', attempts: 1 });
    process.kill(ffmpeg, 'SIGCONT');
    await until(
      'completed by its first worker',
      async () => (await videoRow(f, video.id)).status === 'completed' || undefined,
      60_000,
      100,
    );
    expect((await videoRow(f, video.id)).attempts).toBe(1);
  }, 120_000);
});

describe('H: limits shared by both instances', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet(2, { RATE_LIMITS_DISABLED: 'false' });
  }, 120_000);
  afterAll(async () => f?.close());

  it('30 generates a minute across both, then 429; the login throttle counts guesses on both', async () => {
    const user = await f.signup();
    await f.grant(user.id, 10_000);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => generate(f, i % 2, user.token)),
    );
    expect(results.filter((r) => r.status === 202)).toHaveLength(30);
    expect(results.filter((r) => r.status === 429)).toHaveLength(10);

    const me = await f.call(0, 'GET', '/api/auth/me', { token: user.token });
    const email = (me.body as { user: { email: string } }).user.email;
    const guesses = [];
    for (let i = 0; i < 12; i++) {
      guesses.push(
        await f.call(i % 2, 'POST', '/api/auth/login', {
          body: { email, password: `wrong guess ${i}` },
        }),
      );
    }
    expect(guesses.slice(0, 10).map((r) => r.status)).toEqual(Array(10).fill(401));
    expect(guesses.slice(10).map((r) => r.status)).toEqual([429, 429]);
  }, 60_000);
});
