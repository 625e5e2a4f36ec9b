import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GenerateVideoResponseSchema } from '@app/shared';
import { createHarness, tableCounts, type Harness, type TestUser } from './helpers/harness.ts';
import { gatedRenderer } from './helpers/renderers.ts';
import { balanceOf } from './helpers/payments.ts';
import { generate, ledgerFor, ONE_MINUTE_720P, waitFor, waitForTerminal } from './helpers/video.ts';

let h: Harness;
const gate = gatedRenderer();
beforeAll(async () => {
  h = await createHarness(
    { VIDEO_CONCURRENCY: '4' },
    { renderer: gate.renderer, verifyOutput: false },
  );
});
afterEach(async () => h.assertInvariants());
afterAll(async () => h.close());

describe('POST /api/video/generate', () => {
  it('charges before rendering starts and returns the video, cost and new balance', async () => {
    const user = await h.signup();
    const res = await generate(h, user);
    expect(res.status).toBe(202);
    const body = GenerateVideoResponseSchema.parse(res.body);
    expect(body).toMatchObject({ creditsUsed: 5, newBalance: 5 });
    expect(['queued', 'processing']).toContain(body.video.status);
    expect(await ledgerFor(h, body.video.id)).toEqual([{ type: 'usage', amount: -5 }]);
    await waitFor(() => gate.isRendering(body.video.id));
    // Mid-render: already paid, nothing refunded.
    expect(await balanceOf(h, user)).toBe(5);
    await gate.succeed(body.video.id);
    const video = await waitForTerminal(h, user, body.video.id);
    expect(video).toMatchObject({ status: 'completed', progress: 100, creditsRefunded: 0 });
    expect(await ledgerFor(h, body.video.id)).toEqual([{ type: 'usage', amount: -5 }]);
  });

  it.each([
    [{ durationMinutes: 1, resolution: '1080p' }, 8],
    [{ durationMinutes: 0.5, resolution: '720p', customMusic: true }, 7],
    [{ durationMinutes: 1, resolution: '720p', premiumTTS: true }, 8],
    [{ durationMinutes: 1, resolution: '720p', aiEnhancement: true }, 9],
  ])('charges %j exactly %i credits', async (options, cost) => {
    const user = await h.signup();
    const res = await generate(h, user, { prompt: 'x', ...options });
    expect(res.status).toBe(202);
    expect(res.body.creditsUsed).toBe(cost);
    expect(res.body.newBalance).toBe(10 - cost);
    await waitFor(() => gate.isRendering(res.body.video.id));
    await gate.succeed(res.body.video.id);
    await waitForTerminal(h, user, res.body.video.id);
  });

  it('answers 402 with cost, balance and shortfall, and writes nothing', async () => {
    const user = await h.signup();
    const before = await tableCounts(h);
    const res = await generate(h, user, {
      prompt: 'long',
      durationMinutes: 3,
      resolution: '1080p',
    });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      details: { required: 24, balance: 10, shortfall: 14 },
    });
    expect(await tableCounts(h)).toEqual(before);
    expect(await balanceOf(h, user)).toBe(10);
  });

  it.each([
    { prompt: '', durationMinutes: 1, resolution: '720p' },
    { prompt: 'x'.repeat(2001), durationMinutes: 1, resolution: '720p' },
    { prompt: 'x', durationMinutes: 0, resolution: '720p' },
    { prompt: 'x', durationMinutes: 61, resolution: '720p' },
    { prompt: 'x', durationMinutes: 1, resolution: '480p' },
    { prompt: 'x', durationMinutes: 1, resolution: '720p', cost: 0 },
    { prompt: 'x', durationMinutes: 1, resolution: '720p', userId: 'someone' },
  ])('rejects %j with 400 and writes nothing', async (body) => {
    const user = await h.signup();
    const before = await tableCounts(h);
    const res = await generate(h, user, body);
    expect(res.status).toBe(400);
    expect(await tableCounts(h)).toEqual(before);
  });

  it('accepts exactly 2 of 50 concurrent requests from a user with 10 credits at cost 5', async () => {
    const user = await h.signup();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => generate(h, user, ONE_MINUTE_720P, `c-${i}`)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(2);
    expect(statuses.filter((s) => s === 402)).toHaveLength(48);
    expect(await balanceOf(h, user)).toBe(0);
    for (const r of responses.filter((x) => x.status === 202)) {
      await waitFor(() => gate.isRendering(r.body.video.id));
      await gate.succeed(r.body.video.id);
      await waitForTerminal(h, user, r.body.video.id);
    }
  });

  it('replays one Idempotency-Key under concurrency with one charge and one video', async () => {
    const user = await h.signup();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => generate(h, user, ONE_MINUTE_720P, 'same-key')),
    );
    for (const r of responses) expect([202, 409]).toContain(r.status);
    const ids = new Set(responses.filter((r) => r.status === 202).map((r) => r.body.video.id));
    expect(ids.size).toBe(1);
    expect(await balanceOf(h, user)).toBe(5);
    const later = await generate(h, user, ONE_MINUTE_720P, 'same-key');
    expect(later.status).toBe(202);
    expect(later.body.video.id).toBe([...ids][0]);
    const reused = await generate(h, user, { ...ONE_MINUTE_720P, durationMinutes: 2 }, 'same-key');
    expect(reused.status).toBe(422);
    const [id] = ids;
    await waitFor(() => gate.isRendering(id!));
    await gate.succeed(id!);
    await waitForTerminal(h, user, id!);
  });
});

describe('refunds', () => {
  it('refunds exactly once when the renderer fails, with the reason', async () => {
    const user = await h.signup();
    const res = await generate(h, user);
    await waitFor(() => gate.isRendering(res.body.video.id));
    gate.fail(res.body.video.id, 'The GPU caught fire');
    const video = await waitForTerminal(h, user, res.body.video.id);
    expect(video).toMatchObject({
      status: 'failed',
      error: 'The GPU caught fire',
      creditsRefunded: 5,
    });
    expect(await ledgerFor(h, video.id)).toEqual([
      { type: 'usage', amount: -5 },
      { type: 'refund', amount: 5 },
    ]);
    expect(await balanceOf(h, user)).toBe(10);
  });

  it('refunds a video canceled while rendering, once, and cancel twice is a 409', async () => {
    const user = await h.signup();
    const res = await generate(h, user);
    await waitFor(() => gate.isRendering(res.body.video.id));
    const cancel = await h.http().post(`/api/video/${res.body.video.id}/cancel`).set(user.auth);
    expect(cancel.status).toBe(200);
    expect(cancel.body.video).toMatchObject({ status: 'canceled', creditsRefunded: 5 });
    await waitFor(() => !gate.isRendering(res.body.video.id));
    const again = await h.http().post(`/api/video/${res.body.video.id}/cancel`).set(user.auth);
    expect(again.status).toBe(409);
    expect(await ledgerFor(h, res.body.video.id)).toEqual([
      { type: 'usage', amount: -5 },
      { type: 'refund', amount: 5 },
    ]);
    expect(await balanceOf(h, user)).toBe(10);
  });
});

describe('timeouts and queued cancellation', () => {
  it('fails and refunds a render that exceeds the timeout', async () => {
    const { hangingRenderer } = await import('./helpers/renderers.ts');
    const slow = await createHarness(
      { VIDEO_RENDER_TIMEOUT_MS: '1000' },
      { renderer: hangingRenderer() },
    );
    const user = await slow.signup();
    const res = await generate(slow, user);
    const video = await waitForTerminal(slow, user, res.body.video.id);
    expect(video).toMatchObject({
      status: 'failed',
      error: 'Rendering timed out',
      creditsRefunded: 5,
    });
    expect(await balanceOf(slow, user)).toBe(10);
    await slow.assertInvariants();
    await slow.close();
  });

  it('refunds a queued video canceled before any worker picks it up', async () => {
    const idle = await createHarness({}, { startWorker: false });
    const user = await idle.signup();
    const res = await generate(idle, user);
    expect(res.body.video.status).toBe('queued');
    const cancel = await idle.http().post(`/api/video/${res.body.video.id}/cancel`).set(user.auth);
    expect(cancel.body.video.status).toBe('canceled');
    expect(await balanceOf(idle, user)).toBe(10);
    await idle.assertInvariants();
    await idle.close();
  });
});

describe('live progress', () => {
  it('streams the video over server-sent events until it is terminal', async () => {
    const user = await h.signup();
    const res = await generate(h, user);
    const id = res.body.video.id as string;
    const stream = fetch(`${h.baseUrl}/api/video/${id}/events`, { headers: user.auth });
    await waitFor(() => gate.isRendering(id));
    const response = await stream;
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    setTimeout(() => void gate.succeed(id), 50);
    const text = await response.text();
    const events = text
      .split('\n\n')
      .filter((block) => block.startsWith('event: video'))
      .map((block) => JSON.parse(block.split('data: ')[1]!));
    expect(events.at(-1)).toMatchObject({ id, status: 'completed' });
  });
});

describe("another user's video", () => {
  let owner: TestUser;
  let intruder: TestUser;
  let videoId: string;
  beforeAll(async () => {
    owner = await h.signup();
    intruder = await h.signup();
    const res = await generate(h, owner);
    videoId = res.body.video.id;
    await waitFor(() => gate.isRendering(videoId));
  });

  it('is 404 everywhere, and stays untouched', async () => {
    expect((await h.http().get(`/api/video/${videoId}`).set(intruder.auth)).status).toBe(404);
    expect((await h.http().get(`/api/video/${videoId}/events`).set(intruder.auth)).status).toBe(
      404,
    );
    expect((await h.http().post(`/api/video/${videoId}/cancel`).set(intruder.auth)).status).toBe(
      404,
    );
    const history = await h.http().get('/api/credits/video-history').set(intruder.auth);
    expect(history.body.videos).toEqual([]);
    await gate.succeed(videoId);
    const video = await waitForTerminal(h, owner, videoId);
    expect(video.status).toBe('completed');
    expect((await h.http().get(`/api/video/${videoId}/file`).set(intruder.auth)).status).toBe(404);
    const ownerUrl = new URL(video.fileUrl!, h.baseUrl);
    // The owner's link is bound to that one video.
    const otherVideo = `/api/video/not-this-one/file?${ownerUrl.searchParams}`;
    expect((await h.http().get(otherVideo)).status).toBe(401);
    expect((await h.http().get(`/api/video/${videoId}/file?token=forged`)).status).toBe(401);
  });
});
