import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpendSummaryResponse, Video } from '@app/shared';
import { createRenderer } from '../../src/video/renderers/index.ts';
import { posterKeyOf } from '../../src/video/storage/keys.ts';
import { SPEND_DAILY_SQL, SPEND_USAGE_SQL } from '../../src/store/sqlite/video-library.ts';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { sqliteAdapterInternals } from '../../src/store/sqlite/test-data.ts';
import { pay, startPurchase } from '../helpers/payments.ts';
import { generate, ledgerFor, waitForTerminal } from '../helpers/video.ts';

/**
 * Issue 15 (web features): the spend summary behind the credits chart, and the video library
 * (poster frames, search by prompt, delete). Each is owner-only: another user's data never
 * appears, and another user's video can be neither seen, searched nor deleted.
 */

let rendered: Harness; // real ffmpeg renders: posters and files on disk
let queued: Harness; // no worker: videos stay queued, for search and the "still active" case
beforeAll(async () => {
  [rendered, queued] = await Promise.all([
    createHarness({}, { renderer: createRenderer('ffmpeg') }),
    createHarness({}, { startWorker: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([rendered.assertInvariants(), queued.assertInvariants()]);
  await Promise.all([rendered.close(), queued.close()]);
});

const SHORT_720P = {
  prompt: 'A paper boat on a rainy street',
  durationMinutes: 0.1,
  resolution: '720p',
};

async function buyPro(h: Harness, user: TestUser) {
  const intent = await startPurchase(h, user);
  await pay(h, intent.paymentIntentId);
  const confirm = await h
    .http()
    .post('/api/payments/confirm')
    .set(user.auth)
    .send({ paymentIntentId: intent.paymentIntentId });
  expect(confirm.status, confirm.text).toBe(200);
}

async function renderOne(h: Harness, user: TestUser, body: object = SHORT_720P): Promise<Video> {
  const res = await generate(h, user, body);
  expect(res.status, res.text).toBe(202);
  const video = await waitForTerminal(h, user, res.body.video.id, 90_000);
  expect(video.status, video.error ?? '').toBe('completed');
  return video;
}

const summary = async (h: Harness, user: TestUser, query: string) =>
  h.http().get(`/api/credits/spend-summary${query}`).set(user.auth);

describe('GET /api/credits/spend-summary', () => {
  it('sums spend per day and per feature, refunds and purchases beside it, only for the caller', async () => {
    const h = queued;
    const [owner, other] = await Promise.all([h.signup(), h.signup()]);
    await buyPro(h, owner);
    await buyPro(h, other);
    const a = await generate(h, owner, { ...SHORT_720P, customMusic: true }); // 5 + 2
    const b = await generate(h, owner, {
      prompt: 'Two minutes of 1080p',
      durationMinutes: 2,
      resolution: '1080p',
      premiumTTS: true,
      aiEnhancement: true,
    }); // 16 + 3 + 4
    const c = await generate(h, owner, SHORT_720P); // 5, canceled while queued: all back
    for (const r of [a, b, c]) expect(r.status, r.text).toBe(202);
    const cancel = await h.http().post(`/api/video/${c.body.video.id}/cancel`).set(owner.auth);
    expect(cancel.status).toBe(200);
    // Someone else's spending on every feature must not leak into the owner's figures.
    const foreign = await generate(h, other, {
      prompt: 'Not yours',
      durationMinutes: 5,
      resolution: '1080p',
      customMusic: true,
      premiumTTS: true,
      aiEnhancement: true,
    });
    expect(foreign.status).toBe(202);

    const res = await summary(h, owner, '?days=30&tzOffsetMinutes=120');
    expect(res.status, res.text).toBe(200);
    const body = res.body as SpendSummaryResponse;
    expect(body.days).toBe(30);
    expect(body.daily).toHaveLength(30);
    const today = new Date(Date.now() + 120 * 60_000).toISOString().slice(0, 10);
    expect(body.daily[29]!.date).toBe(today);
    expect(body.daily[29]).toMatchObject({ spent: 35, refunded: 5, purchased: 160 });
    expect(body.daily.slice(0, 29).every((d) => d.spent + d.refunded + d.purchased === 0)).toBe(
      true,
    );
    expect(body.totals).toEqual({ spent: 35, refunded: 5, net: 30, purchased: 160, videos: 3 });
    expect(
      Object.fromEntries(body.byFeature.map((f) => [f.feature, [f.credits, f.videos]])),
    ).toEqual({
      '720p': [10, 2],
      '1080p': [16, 1],
      customMusic: [2, 1],
      premiumTTS: [3, 1],
      aiEnhancement: [4, 1],
    });

    const foreignView = (await summary(h, other, '?days=7')).body as SpendSummaryResponse;
    expect(foreignView.totals).toMatchObject({ spent: 49, refunded: 0, videos: 1 });
    expect(foreignView.daily).toHaveLength(7);
  });

  it('refuses ranges outside 1-366 days, unknown parameters and anonymous callers', async () => {
    const user = await queued.signup();
    for (const q of ['?days=0', '?days=367', '?days=abc', '?userId=x', '?tzOffsetMinutes=900']) {
      const res = await summary(queued, user, q);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await queued.http().get('/api/credits/spend-summary')).status).toBe(401);
    const fresh = (await summary(queued, user, '')).body as SpendSummaryResponse;
    expect(fresh.days).toBe(30);
    expect(fresh.totals).toEqual({ spent: 0, refunded: 0, net: 0, purchased: 0, videos: 0 });
  });

  // A SQLite query plan: adapter-level on purpose.
  it('reads the ledger through its (user, time) index, never a table scan', () => {
    const { db } = sqliteAdapterInternals(queued.store);
    const plan = (sql: string, args: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
    const daily = plan(SPEND_DAILY_SQL, ['+0 minutes', 'u', '2026-01-01']);
    const usage = plan(SPEND_USAGE_SQL, ['u', '2026-01-01']);
    expect(daily).toMatch(/transactions USING INDEX transactions_by_user_time/);
    expect(usage).toMatch(/USING INDEX transactions_by_user_time/);
    expect(usage).toMatch(
      /v USING INDEX sqlite_autoindex_video_generations_1|v USING INTEGER PRIMARY KEY|v USING INDEX/,
    );
    expect(`${daily}\n${usage}`).not.toMatch(/SCAN (transactions|t|v|video_generations)\b/);
  });
});

describe('video library: search by prompt', () => {
  it("finds the caller's videos containing every word, case-insensitively, wildcards literal", async () => {
    const h = queued;
    const [owner, other] = await Promise.all([h.signup(), h.signup()]);
    await buyPro(h, owner);
    for (const prompt of [
      'A paper BOAT in the rain',
      'Rainy street 100% view',
      'Sunset_over hills',
    ]) {
      expect((await generate(h, owner, { ...SHORT_720P, prompt })).status).toBe(202);
    }
    expect((await generate(h, other, { ...SHORT_720P, prompt: 'Another boat' })).status).toBe(202);
    const search = async (user: TestUser, q: string) => {
      const res = await h
        .http()
        .get('/api/credits/video-history')
        .query({ q, pageSize: 10 })
        .set(user.auth);
      expect(res.status, res.text).toBe(200);
      return {
        prompts: (res.body.videos as Video[]).map((v) => v.prompt).sort(),
        total: res.body.pagination.total as number,
      };
    };
    expect(await search(owner, 'boat')).toEqual({
      prompts: ['A paper BOAT in the rain'],
      total: 1,
    });
    expect((await search(owner, 'rain')).total).toBe(2);
    expect(await search(owner, 'rain paper')).toMatchObject({ total: 1 });
    expect(await search(owner, '100%')).toMatchObject({ prompts: ['Rainy street 100% view'] });
    expect(await search(owner, '%')).toMatchObject({ total: 1 });
    expect(await search(owner, '_')).toMatchObject({ prompts: ['Sunset_over hills'] });
    expect((await search(owner, '')).total).toBe(3);
    expect(await search(other, 'rain')).toEqual({ prompts: [], total: 0 });
    const tooLong = await h
      .http()
      .get('/api/credits/video-history')
      .query({ q: 'x'.repeat(201) })
      .set(owner.auth);
    expect(tooLong.status).toBe(400);
  });
});

describe('video library: posters and delete', () => {
  let owner: TestUser;
  let other: TestUser;
  let video: Video;

  beforeAll(async () => {
    [owner, other] = await Promise.all([rendered.signup(), rendered.signup()]);
    video = await renderOne(rendered, owner);
  });

  it("extracts a poster frame when a render completes, served with the video's token", async () => {
    expect(video.posterUrl).toMatch(/^\/api\/video\/[^/]+\/poster\?token=/);
    const res = await rendered.http().get(video.posterUrl!).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect((res.body as Buffer).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

    const bare = `/api/video/${video.id}/poster`;
    expect((await rendered.http().get(bare)).status).toBe(401);
    expect((await rendered.http().get(bare).set(owner.auth)).status).toBe(200);
    expect((await rendered.http().get(bare).set(other.auth)).status).toBe(404);
    const mine = await renderOne(rendered, other, { ...SHORT_720P, prompt: 'Other user' });
    const otherToken = new URL(mine.posterUrl!, 'http://x').searchParams.get('token')!;
    const crossed = await rendered.http().get(`${bare}?token=${encodeURIComponent(otherToken)}`);
    expect(crossed.status).toBe(401);
  });

  it('another user cannot delete it; the owner can, once: file and poster gone, ledger untouched', async () => {
    const stored = await rendered.store.findVideo({ id: video.id });
    // Records keep the storage's key, a name inside VIDEO_DIR.
    const file = path.join(rendered.config.videoDir, stored!.filePath!);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(posterKeyOf(file))).toBe(true);
    const ledgerBefore = await ledgerFor(rendered, video.id);
    const usageRow = async () =>
      (
        (await rendered.http().get('/api/credits/transactions?type=usage').set(owner.auth)).body
          .transactions as { referenceId: string; videoPrompt?: string | null }[]
      ).find((t) => t.referenceId === video.id);
    // The ledger row names its video, so a refund or charge says which one it was.
    expect((await usageRow())?.videoPrompt).toBe(SHORT_720P.prompt);
    const balanceBefore = (await rendered.store.getBalance({ userId: owner.id }))!.creditBalance;

    const foreign = await rendered.http().delete(`/api/video/${video.id}`).set(other.auth);
    expect(foreign.status).toBe(404);
    expect(existsSync(file)).toBe(true);
    expect((await rendered.http().delete(`/api/video/${video.id}`)).status).toBe(401);

    const res = await rendered.http().delete(`/api/video/${video.id}`).set(owner.auth);
    expect(res.status, res.text).toBe(204);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(posterKeyOf(file))).toBe(false);
    expect(await ledgerFor(rendered, video.id)).toEqual(ledgerBefore);
    expect((await rendered.store.getBalance({ userId: owner.id }))!.creditBalance).toBe(
      balanceBefore,
    );

    expect((await rendered.http().get(`/api/video/${video.id}`).set(owner.auth)).status).toBe(404);
    expect((await rendered.http().get(video.fileUrl!)).status).toBe(404);
    const list = await rendered.http().get('/api/credits/video-history').set(owner.auth);
    expect((list.body.videos as Video[]).map((v) => v.id)).not.toContain(video.id);
    expect(list.body.pagination.total).toBe(0);
    // Still in the history, without the prompt the user deleted.
    expect(await usageRow()).toMatchObject({ referenceId: video.id, videoPrompt: null });
    expect((await rendered.http().delete(`/api/video/${video.id}`).set(owner.auth)).status).toBe(
      404,
    );
  });

  it('refuses to delete a video that is still queued (cancel it first)', async () => {
    const user = await queued.signup();
    const res = await generate(queued, user, SHORT_720P);
    expect(res.status).toBe(202);
    const del = await queued.http().delete(`/api/video/${res.body.video.id}`).set(user.auth);
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('INVALID_STATE');
    expect((await queued.http().get(`/api/video/${res.body.video.id}`).set(user.auth)).status).toBe(
      200,
    );
  });
});
