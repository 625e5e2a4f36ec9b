import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculateCost, GenerateVideoResponseSchema, VideoSchema } from '@app/shared';
import { errorCode, until } from './support/client.ts';
import { controlledRenderer } from './support/controlled-renderer.ts';
import { runLedgerVerify } from './support/server-process.ts';
import { World, type WorldUser } from './support/world.ts';

/**
 * Section G (issue 10, finding 6): one user cannot hog the render workers, queue without
 * limit, or get a render for free by canceling it near the end.
 */

const ONE_MINUTE = { prompt: 'A calm lake at dawn', durationMinutes: 1, resolution: '720p' };
const LONG = { prompt: 'An hour of ocean waves', durationMinutes: 60, resolution: '1080p' };
const LONG_COST = calculateCost({ durationMinutes: 60, resolution: '1080p' }).total;

async function generate(w: World, user: WorldUser, body: object = ONE_MINUTE) {
  const res = await w.call('POST', '/api/video/generate', { token: user.token, body });
  expect(res.status, res.text).toBe(202);
  return GenerateVideoResponseSchema.parse(res.body).video;
}

async function videoOf(w: World, user: WorldUser, id: string) {
  const res = await w.call('GET', `/api/video/${id}`, { token: user.token });
  expect(res.status, res.text).toBe(200);
  return VideoSchema.parse((res.body as { video: unknown }).video);
}

describe.each([1, 2])('G6 fair scheduling with VIDEO_CONCURRENCY=%i', (concurrency) => {
  const r = controlledRenderer();
  let w: World;
  beforeAll(async () => {
    w = await World.create({
      env: {
        VIDEO_CONCURRENCY: String(concurrency),
        VIDEO_MAX_QUEUED_PER_USER: '20',
        VIDEO_MAX_RUNNING_PER_USER: '1',
      },
      renderer: r.renderer,
      verifyOutput: false,
    });
  });
  afterAll(async () => w?.close());

  it("one user's 20 one-hour videos delay another user's 1-minute video by at most one render", async () => {
    const hog = await w.signup();
    await w.grant(hog.id, 20 * LONG_COST);
    const hogVideos: string[] = [];
    for (let i = 0; i < 20; i++) hogVideos.push((await generate(w, hog, LONG)).id);
    await until('the hog is rendering', () => r.rendering().length > 0);
    // The per-user running cap: a free slot is not handed to a user already rendering.
    expect(r.rendering().length).toBe(1);

    const other = await w.signup();
    const startsBefore = r.starts.length;
    const mine = (await generate(w, other)).id;
    // Counted in renders, not seconds: each step finishes one of the hog's renders and waits
    // for the worker to start the next video, until the other user's video has started.
    await until(
      'slots filled',
      () => r.starts.includes(mine) || r.rendering().length === concurrency || undefined,
    );
    for (let step = 0; step < 25 && !r.starts.includes(mine); step++) {
      const started = r.starts.length;
      await r.succeed(r.rendering().find((id) => id !== mine)!);
      await until('next render started', () => r.starts.length > started || undefined);
    }
    const rendersStartedFirst = r.starts.slice(startsBefore).indexOf(mine);
    console.log(`G6 concurrency ${concurrency}: ${rendersStartedFirst} renders started first`);
    expect(rendersStartedFirst).toBeGreaterThanOrEqual(0);
    expect(rendersStartedFirst).toBeLessThanOrEqual(1);
    // Never more than the cap for the hog, even with a slot to spare.
    expect(r.rendering().filter((id) => hogVideos.includes(id)).length).toBeLessThanOrEqual(1);
    await w.assertInvariants();
  });
});

describe('G6 per-user queued cap', () => {
  const r = controlledRenderer();
  let w: World;
  let blocker: WorldUser;
  beforeAll(async () => {
    w = await World.create({
      env: {
        VIDEO_CONCURRENCY: '1',
        VIDEO_MAX_QUEUED_PER_USER: '3',
        VIDEO_MAX_RUNNING_PER_USER: '1',
      },
      renderer: r.renderer,
      verifyOutput: false,
    });
    // Another user's render holds the only slot, so everything below stays queued.
    blocker = await w.signup();
    const held = await generate(w, blocker);
    await until('slot taken', () => r.isRendering(held.id));
  });
  afterAll(async () => w?.close());

  it('refuses the video past the cap with 429 TOO_MANY_QUEUED_VIDEOS; no credits move', async () => {
    const user = await w.signup();
    await w.grant(user.id, 100);
    for (let i = 0; i < 3; i++) await generate(w, user);
    const balance = await w.balance(user.id);
    const rows = await w.data.countAll({ tables: ['transactions', 'video_generations'] });

    const res = await w.call('POST', '/api/video/generate', {
      token: user.token,
      body: ONE_MINUTE,
    });
    expect(res.status, res.text).toBe(429);
    expect(errorCode(res)).toBe('TOO_MANY_QUEUED_VIDEOS');
    expect((res.body as { error: { details: unknown } }).error.details).toEqual({
      queued: 3,
      limit: 3,
    });
    expect(await w.balance(user.id)).toBe(balance);
    expect(await w.data.countAll({ tables: ['transactions', 'video_generations'] })).toEqual(rows);
    await w.assertInvariants();
  });

  it('a burst of 30 concurrent generations creates exactly 3 videos and 3 charges', async () => {
    const user = await w.signup();
    await w.grant(user.id, 1000);
    const balance = await w.balance(user.id);
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        w.call('POST', '/api/video/generate', { token: user.token, body: ONE_MINUTE }),
      ),
    );
    const statuses = results.map((x) => x.status).sort();
    expect(statuses.filter((s) => s === 202).length).toBe(3);
    expect(statuses.filter((s) => s === 429).length).toBe(27);
    expect(results.filter((x) => x.status === 429).map(errorCode)).toEqual(
      Array(27).fill('TOO_MANY_QUEUED_VIDEOS'),
    );
    expect(await w.balance(user.id)).toBe(balance - 3 * 5);
    const usage = await w.data.countRows({
      table: 'transactions',
      where: { user_id: user.id, type: 'usage' },
    });
    expect(usage).toBe(3);
    await w.assertInvariants();
  });

  it('a refused Idempotency-Key is not remembered: the same retry succeeds once a slot frees', async () => {
    const user = await w.signup();
    await w.grant(user.id, 100);
    const queued = [];
    for (let i = 0; i < 3; i++) queued.push(await generate(w, user));
    const send = () =>
      w.call('POST', '/api/video/generate', {
        token: user.token,
        body: ONE_MINUTE,
        headers: { 'Idempotency-Key': 'g6-retry-after-cap' },
      });
    expect((await send()).status).toBe(429);
    const cancel = await w.call('POST', `/api/video/${queued[0]!.id}/cancel`, {
      token: user.token,
    });
    expect(cancel.status, cancel.text).toBe(200);
    const retry = await send();
    expect(retry.status, retry.text).toBe(202);
    expect((await send()).headers.get('idempotent-replayed')).toBe('true');
    await w.assertInvariants();
  });
});

describe('G6 cancel policy', () => {
  const r = controlledRenderer();
  let w: World;
  beforeAll(async () => {
    w = await World.create({
      env: { VIDEO_CONCURRENCY: '1', VIDEO_MAX_RUNNING_PER_USER: '1' },
      renderer: r.renderer,
      verifyOutput: false,
    });
  });
  afterAll(async () => w?.close());

  /** Starts a one-hour 1080p video with music (482 credits) and reports `percent` progress. */
  async function renderingAt(percent: number) {
    const user = await w.signup();
    await w.grant(user.id, 500);
    const body = { ...LONG, customMusic: true };
    const cost = calculateCost({ durationMinutes: 60, resolution: '1080p', customMusic: true });
    expect(cost.total).toBe(482);
    const video = await generate(w, user, body);
    await until('render start', () => r.isRendering(video.id));
    r.progress(video.id, percent);
    // The worker records progress at a bounded rate; the latest report is always written.
    await until(
      `progress ${percent} recorded`,
      async () => (await w.store.findVideo({ id: video.id }))!.progress === percent || undefined,
    );
    return { user, video, before: await w.balance(user.id) };
  }

  it('a queued video canceled: the full price comes back, as one refund entry', async () => {
    const blocker = await w.signup();
    const held = await generate(w, blocker);
    await until('slot taken', () => r.isRendering(held.id));
    const user = await w.signup();
    const video = await generate(w, user);
    expect((await videoOf(w, user, video.id)).status).toBe('queued');

    const cancel = await w.call('POST', `/api/video/${video.id}/cancel`, { token: user.token });
    expect(cancel.status, cancel.text).toBe(200);
    expect(cancel.body).toMatchObject({ video: { status: 'canceled', creditsRefunded: 5 } });
    expect(await w.balance(user.id)).toBe(10);
    expect(await w.data.videoEntries({ videoId: video.id })).toEqual([
      { type: 'usage', amount: -5 },
      { type: 'refund', amount: 5 },
    ]);
    await r.succeed(held.id);
    await w.assertInvariants();
  });

  it('canceled at 81 %: back comes the unrendered 19 % rounded up (92 of 482), once', async () => {
    const { user, video, before } = await renderingAt(81);
    const cancel = await w.call('POST', `/api/video/${video.id}/cancel`, { token: user.token });
    expect(cancel.status, cancel.text).toBe(200);
    expect(cancel.body).toMatchObject({ video: { status: 'canceled', creditsRefunded: 92 } });
    expect(await w.balance(user.id)).toBe(before + 92);
    expect(await w.data.videoEntries({ videoId: video.id })).toEqual([
      { type: 'usage', amount: -482 },
      { type: 'refund', amount: 92 },
    ]);
    // A second cancel changes nothing.
    const again = await w.call('POST', `/api/video/${video.id}/cancel`, { token: user.token });
    expect(again.status).toBe(409);
    expect(await w.data.videoEntries({ videoId: video.id })).toHaveLength(2);
    await until('worker idle', () => w.worker.activeCount === 0 || undefined);
    await w.assertInvariants();
    const verify = await runLedgerVerify(w.config.databasePath);
    expect(verify.code, verify.output).toBe(0);
  });

  it('a render that fails at 81 % is still refunded in full: the failure is ours', async () => {
    const { user, video, before } = await renderingAt(81);
    r.fail(video.id);
    await until('failed', async () => (await videoOf(w, user, video.id)).status === 'failed');
    expect((await videoOf(w, user, video.id)).creditsRefunded).toBe(482);
    expect(await w.balance(user.id)).toBe(before + 482);
    expect(await w.data.videoEntries({ videoId: video.id })).toEqual([
      { type: 'usage', amount: -482 },
      { type: 'refund', amount: 482 },
    ]);
    await w.assertInvariants();
  });
});
