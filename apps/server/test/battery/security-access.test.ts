import { calculateCost } from '@app/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { pay } from '../helpers/payments.ts';
import { gatedRenderer } from '../helpers/renderers.ts';
import { waitFor, waitForTerminal } from '../helpers/video.ts';
import { raw, rowCounts, type RawResponse } from './security-helpers.ts';

/** A5 (BOLA sweep) and A6 (mass assignment), over real HTTP against one harness. */

const gate = gatedRenderer();
let h: Harness;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  h = await createHarness({}, { renderer: gate.renderer, verifyOutput: false });
  alice = await h.signup({ email: 'alice-bola@example.com' });
  bob = await h.signup({ email: 'bob-bola@example.com' });
});

afterAll(async () => {
  for (const id of [...gate.started]) if (gate.isRendering(id)) gate.fail(id, 'test over');
  await h.emulator.control.waitForIdle();
  await h.assertInvariants();
  await h.close();
});

interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: object;
  key?: string;
}

const send = (user: TestUser, call: Call) =>
  raw(h, call.path, {
    method: call.method,
    token: user.token,
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
    headers: call.key ? { 'Idempotency-Key': call.key } : {},
  });

/** Everything of one user, straight from the database. */
async function rowsOf(userId: string) {
  const own = { user_id: userId };
  return {
    user: (await h.data.rows({ table: 'users', where: { id: userId } }))[0],
    transactions: await h.data.rows({ table: 'transactions', where: own }),
    videos: await h.data.rows({ table: 'video_generations', where: own }),
    payments: await h.data.rows({ table: 'payments', where: own }),
    idempotency: await h.data.rows({ table: 'idempotency_keys', where: own }),
  };
}

/** File links carry a fresh short-lived token on every read; the rest must be identical. */
const normalise = (res: RawResponse) => res.text.replace(/token=[^"&]+/g, 'token=*');

describe('A5: BOLA sweep', () => {
  const videoBody = { prompt: 'Alice only', durationMinutes: 1, resolution: '720p' };
  let running: string;
  let finished: string;
  let finishedFileUrl: string;
  let paymentId: string;
  let intentId: string;
  let aliceCalls: Call[];
  let bobOwnFileToken: string;
  let bobVideoId: string;

  beforeAll(async () => {
    // Alice makes one of every resource and uses every route on it.
    const first = await send(alice, {
      method: 'POST',
      path: '/api/video/generate',
      body: videoBody,
      key: 'alice-video-1',
    });
    expect(first.status).toBe(202);
    running = (first.json as { video: { id: string } }).video.id;
    const second = await send(alice, {
      method: 'POST',
      path: '/api/video/generate',
      body: { ...videoBody, prompt: 'Alice finished' },
      key: 'alice-video-2',
    });
    finished = (second.json as { video: { id: string } }).video.id;
    await waitFor(() => gate.isRendering(running) && gate.isRendering(finished));
    await gate.succeed(finished);
    finishedFileUrl = (await waitForTerminal(h, alice, finished)).fileUrl!;

    const intent = await send(alice, {
      method: 'POST',
      path: '/api/payments/create-intent',
      body: { packageId: 2 },
      key: 'alice-intent-1',
    });
    expect(intent.status).toBe(201);
    ({ paymentId, paymentIntentId: intentId } = intent.json as {
      paymentId: string;
      paymentIntentId: string;
    });
    await pay(h, intentId);
    await h.emulator.control.waitForIdle();

    aliceCalls = [
      { method: 'POST', path: '/api/video/generate', body: videoBody, key: 'alice-video-1' },
      { method: 'GET', path: `/api/video/${running}` },
      { method: 'GET', path: `/api/video/${finished}` },
      { method: 'GET', path: `/api/video/${finished}/events` },
      { method: 'GET', path: `/api/video/${finished}/file` },
      { method: 'POST', path: `/api/video/${running}/cancel`, key: 'alice-cancel-1' },
      { method: 'POST', path: `/api/video/${running}/cancel` },
      { method: 'POST', path: `/api/video/${finished}/cancel` },
      {
        method: 'POST',
        path: '/api/payments/create-intent',
        body: { packageId: 2 },
        key: 'alice-intent-1',
      },
      { method: 'GET', path: `/api/payments/${paymentId}` },
      { method: 'POST', path: '/api/payments/confirm', body: { paymentIntentId: intentId } },
      {
        method: 'POST',
        path: '/api/payments/confirm',
        body: { paymentIntentId: intentId },
        key: 'alice-confirm-1',
      },
      { method: 'GET', path: '/api/credits/transactions?pageSize=100' },
      { method: 'GET', path: '/api/credits/video-history?pageSize=100' },
      { method: 'GET', path: '/api/payments/history?pageSize=100' },
      { method: 'GET', path: '/api/credits/balance' },
      { method: 'GET', path: '/api/auth/me' },
    ];
    // Alice's own requests work (cancel aside, which she does not send: it would end the video).
    for (const call of aliceCalls.filter((c) => !c.path.endsWith('/cancel'))) {
      const res = await send(alice, call);
      expect(res.status, `${call.method} ${call.path}`).toBeLessThan(300);
    }

    // Bob has a video of his own, so he holds a real file token (for another video).
    const bobVideo = await send(bob, {
      method: 'POST',
      path: '/api/video/generate',
      body: videoBody,
    });
    bobVideoId = (bobVideo.json as { video: { id: string } }).video.id;
    await waitFor(() => gate.isRendering(bobVideoId));
    await gate.succeed(bobVideoId);
    const bobDone = await waitForTerminal(h, bob, bobVideoId);
    bobOwnFileToken = new URL(bobDone.fileUrl!, h.baseUrl).searchParams.get('token')!;
  });

  it("Bob replaying every one of Alice's requests gets 404, or only his own data", async () => {
    const before = await rowsOf(alice.id);
    const aliceViews = await Promise.all(
      aliceCalls.filter((c) => c.method === 'GET').map((c) => send(alice, c).then(normalise)),
    );
    const aliceIds = [alice.id, running, finished, paymentId, intentId];

    for (const call of aliceCalls) {
      const res = await send(bob, call);
      const label = `${call.method} ${call.path} -> ${res.status} ${res.text.slice(0, 200)}`;
      expect(res.status, label).toBeLessThan(500);
      const ownCreation =
        call.path === '/api/video/generate' || call.path === '/api/payments/create-intent';
      const listing = /\/(transactions|video-history|history|balance|me)\b/.test(call.path);
      if (ownCreation) {
        // Idempotency keys are per user: Alice's key gives Bob a new resource of his own.
        expect(res.status, label).toBeLessThan(300);
      } else if (!listing) {
        expect(res.status, label).toBe(404);
      }
      for (const id of aliceIds) expect(res.text, label).not.toContain(id);
    }

    // Downloads: Bob's bearer, his own file token for another video, Alice's path.
    const file = await raw(h, `/api/video/${finished}/file?token=${bobOwnFileToken}`);
    expect(file.status).toBe(401);
    const forged = await raw(h, `/api/video/${finished}/file?token=${bob.token}`);
    expect(forged.status).toBe(401);
    // And the other way round: Alice's link opens her video only.
    const aliceToken = new URL(finishedFileUrl, h.baseUrl).searchParams.get('token')!;
    expect((await raw(h, `/api/video/${finished}/file?token=${aliceToken}`)).status).toBe(200);
    expect((await raw(h, `/api/video/${bobVideoId}/file?token=${aliceToken}`)).status).toBe(401);
    // Alice's running video was not canceled and nothing was refunded.
    expect(gate.isRendering(running)).toBe(true);

    // Alice's data is unchanged, row by row and as she sees it.
    expect(await rowsOf(alice.id)).toEqual(before);
    const after = await Promise.all(
      aliceCalls.filter((c) => c.method === 'GET').map((c) => send(alice, c).then(normalise)),
    );
    expect(after).toEqual(aliceViews);
  });

  it("keeps Alice's rows out of Bob's lists, whatever query he sends", async () => {
    for (const path of [
      '/api/credits/transactions?pageSize=100',
      '/api/credits/video-history?pageSize=100',
      '/api/payments/history?pageSize=100',
    ]) {
      const res = await send(bob, { method: 'GET', path });
      expect(res.status).toBe(200);
      for (const id of [alice.id, running, finished, paymentId]) expect(res.text).not.toContain(id);
    }
    for (const path of [
      `/api/credits/transactions?userId=${alice.id}`,
      `/api/credits/video-history?userId=${alice.id}`,
      `/api/payments/history?userId=${alice.id}`,
      `/api/credits/transactions?user_id=${alice.id}`,
    ]) {
      const res = await send(bob, { method: 'GET', path });
      expect(res.status, path).toBe(400);
    }
    const txs = (
      (await send(bob, { method: 'GET', path: '/api/credits/transactions?pageSize=100' })).json as {
        transactions: { referenceId: string | null; referenceType: string | null }[];
      }
    ).transactions;
    const bobVideos = (
      await h.data.rows({ table: 'video_generations', columns: ['id'], where: { user_id: bob.id } })
    ).map((v) => v.id);
    for (const t of txs) {
      if (t.referenceType === 'video') expect(bobVideos).toContain(t.referenceId);
      if (t.referenceType === 'signup') expect(t.referenceId).toBe(bob.id);
    }
  });

  it('hides every admin route from users and strangers: 404 exactly like a missing path', async () => {
    const before = await rowsOf(alice.id);
    const missing = await raw(h, '/api/no-such-path');
    const body = { reason: 'goodwill', note: 'bola' };
    const adminCalls: Call[] = [
      { method: 'GET', path: '/api/admin/me' },
      { method: 'GET', path: '/api/admin/overview' },
      { method: 'GET', path: `/api/admin/customers?q=${encodeURIComponent(alice.email)}` },
      { method: 'GET', path: `/api/admin/customers/${alice.id}` },
      { method: 'GET', path: `/api/admin/customers/${alice.id}/transactions` },
      { method: 'GET', path: `/api/admin/customers/${alice.id}/transactions.csv` },
      { method: 'GET', path: `/api/admin/customers/${alice.id}/payments` },
      { method: 'GET', path: `/api/admin/customers/${alice.id}/videos` },
      { method: 'GET', path: '/api/admin/approvals' },
      { method: 'GET', path: '/api/admin/audit' },
      {
        method: 'POST',
        path: `/api/admin/customers/${alice.id}/grant`,
        body: { ...body, amount: 5 },
      },
      {
        method: 'POST',
        path: `/api/admin/customers/${alice.id}/debit`,
        body: { ...body, amount: 5 },
      },
      { method: 'POST', path: `/api/admin/customers/${alice.id}/revoke-sessions`, body },
      { method: 'POST', path: `/api/admin/customers/${alice.id}/disable`, body },
      { method: 'POST', path: `/api/admin/customers/${alice.id}/enable`, body },
      { method: 'POST', path: `/api/admin/payments/${paymentId}/refund`, body },
      { method: 'POST', path: `/api/admin/videos/${running}/fail`, body },
      { method: 'POST', path: `/api/admin/videos/${running}/requeue`, body },
      { method: 'POST', path: '/api/admin/approvals/some-id/approve', body: {} },
      { method: 'POST', path: '/api/admin/approvals/some-id/reject', body: {} },
      { method: 'GET', path: '/api/admin/no-such-admin-path' },
    ];
    const callers: { label: string; token?: string }[] = [
      { label: 'bob (user)', token: bob.token },
      { label: 'alice (user, her own data)', token: alice.token },
      { label: 'no token' },
      { label: 'forged token', token: `${bob.token.slice(0, -4)}AAAA` },
    ];
    for (const caller of callers) {
      for (const call of adminCalls) {
        const res = await raw(h, call.path, {
          method: call.method,
          token: caller.token,
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
        });
        const label = `${caller.label}: ${call.method} ${call.path}`;
        expect(res.status, label).toBe(404);
        expect(res.json, label).toEqual(missing.json);
      }
    }
    expect(await rowsOf(alice.id)).toEqual(before);
    expect(await h.data.countRows({ table: 'admin_audit_log' })).toBe(0);
    expect(gate.isRendering(running)).toBe(true);
  });

  it('takes cost and owner from the server only', async () => {
    const res = await send(alice, {
      method: 'POST',
      path: '/api/video/generate',
      body: { prompt: 'priced', durationMinutes: 2.5, resolution: '1080p', premiumTTS: true },
    });
    expect(res.status).toBe(202);
    const body = res.json as { video: { id: string }; creditsUsed: number };
    expect(body.creditsUsed).toBe(
      calculateCost({ durationMinutes: 2.5, resolution: '1080p', premiumTTS: true }).total,
    );
    const [video] = await h.data.rows({
      table: 'video_generations',
      columns: ['user_id'],
      where: { id: body.video.id },
    });
    expect(video?.user_id).toBe(alice.id);
  });
});

describe('A6: mass assignment', () => {
  const FORBIDDEN = ['creditBalance', 'cost', 'userId', 'role', 'amount'];
  const VALUES: unknown[] = [1_000_000, -1, 0, 'admin', null, true, {}, [1]];

  it('refuses every forbidden field in every POST body with 400 and writes nothing', async () => {
    const victim = await h.signup();
    const queued = await send(victim, {
      method: 'POST',
      path: '/api/video/generate',
      body: { prompt: 'stay', durationMinutes: 1, resolution: '720p' },
    });
    const videoId = (queued.json as { video: { id: string } }).video.id;
    const intent = await send(victim, {
      method: 'POST',
      path: '/api/payments/create-intent',
      body: { packageId: 1 },
    });
    const { paymentIntentId } = intent.json as { paymentIntentId: string };
    await h.emulator.control.waitForIdle();

    const endpoints: { path: string; base: object; anonymous?: boolean }[] = [
      {
        path: '/api/auth/signup',
        base: { email: 'mass@example.com', password: 'lantern orbit meadow', name: 'Mass' },
        anonymous: true,
      },
      {
        path: '/api/auth/login',
        base: { email: victim.email, password: victim.password },
        anonymous: true,
      },
      { path: '/api/credits/calculate-cost', base: { durationMinutes: 1, resolution: '720p' } },
      {
        path: '/api/video/generate',
        base: { prompt: 'free video?', durationMinutes: 1, resolution: '720p' },
      },
      { path: `/api/video/${videoId}/cancel`, base: {} },
      { path: '/api/payments/create-intent', base: { packageId: 1 } },
      { path: '/api/payments/confirm', base: { paymentIntentId } },
    ];
    let checked = 0;
    for (const ep of endpoints) {
      for (const key of FORBIDDEN) {
        for (const value of VALUES) {
          const before = await rowCounts(h);
          const victimBefore = await rowsOf(victim.id);
          const body = JSON.stringify({ ...ep.base, [key]: value });
          const res = await raw(h, ep.path, {
            body,
            token: ep.anonymous ? undefined : victim.token,
          });
          const label = `${ep.path} ${body} -> ${res.status} ${res.text.slice(0, 200)}`;
          expect(res.status, label).toBe(400);
          expect((res.json as { error: { code: string } }).error.code, label).toBe(
            'VALIDATION_ERROR',
          );
          expect(res.text, label).toContain(key);
          expect(await rowCounts(h), label).toEqual(before);
          expect(await rowsOf(victim.id), label).toEqual(victimBefore);
          checked += 1;
        }
      }
      // Nested and differently spelled attempts are unknown fields too.
      for (const extra of [
        { user: { creditBalance: 1 } },
        { credit_balance: 1 },
        { isAdmin: true },
      ]) {
        const res = await raw(h, ep.path, {
          body: JSON.stringify({ ...ep.base, ...extra }),
          token: ep.anonymous ? undefined : victim.token,
        });
        expect(res.status, `${ep.path} ${JSON.stringify(extra)}`).toBe(400);
      }
    }
    expect(checked).toBe(endpoints.length * FORBIDDEN.length * VALUES.length);
    // The queued video is still queued or rendering: no cancel slipped through.
    const video = await send(victim, { method: 'GET', path: `/api/video/${videoId}` });
    expect((video.json as { video: { status: string } }).video.status).toMatch(/queued|processing/);
  });
});
