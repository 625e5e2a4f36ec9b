import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateVideoResponseSchema, VideoSchema, type Video } from '@app/shared';
import { createRenderer, probeVideo } from '../../src/video/renderers/index.ts';
import { PLACEHOLDER_MP4 } from '../../src/video/renderers/placeholder-mp4.ts';
import { errorCode, newSeed, prng, sleep, until } from './support/client.ts';
import { controlledRenderer } from './support/controlled-renderer.ts';
import { sqliteAdapterInternals } from '../../src/store/sqlite/test-data.ts';
import { World, type WorldUser } from './support/world.ts';

/** Every file of any render attempt of the video (output, poster, a staged copy). */
const filesOfVideo = (videoDir: string, videoId: string) =>
  existsSync(videoDir) ? readdirSync(videoDir).filter((name) => name.includes(videoId)) : [];

/** Section B of the battery: video jobs (J1-J4). */

const ONE_MINUTE = { prompt: 'A calm lake at dawn', durationMinutes: 1, resolution: '720p' };

async function generate(w: World, user: WorldUser, body: object = ONE_MINUTE) {
  const res = await w.call('POST', '/api/video/generate', { token: user.token, body });
  expect(res.status, res.text).toBe(202);
  return GenerateVideoResponseSchema.parse(res.body).video;
}

async function terminal(w: World, user: WorldUser, id: string, timeoutMs = 10_000) {
  return until(
    `video ${id} terminal`,
    async () => {
      const res = await w.call('GET', `/api/video/${id}`, { token: user.token });
      const video = VideoSchema.parse((res.body as { video: unknown }).video);
      return ['completed', 'failed', 'canceled'].includes(video.status) ? video : undefined;
    },
    timeoutMs,
    10,
  );
}

describe('J1: a renderer that throws, times out or returns garbage', () => {
  const r = controlledRenderer('controlled');
  let w: World;
  beforeAll(async () => {
    // Output verification is on, as for every renderer but 'noop'.
    w = await World.create({
      env: { VIDEO_RENDER_TIMEOUT_MS: '1000', VIDEO_CONCURRENCY: '4' },
      renderer: r.renderer,
    });
  });
  afterAll(async () => w?.close());

  const cases: Array<[string, (id: string) => Promise<void> | void, RegExp]> = [
    ['throws a RenderError', (id) => r.fail(id, 'Encoder ran out of memory'), /out of memory/],
    ['throws an unexpected error', (id) => r.crash(id), /failed unexpectedly/],
    ['times out (never settles)', () => undefined, /timed out/],
    ['writes a file that is not an MP4', (id) => r.garbage(id), /not an MP4/],
    ['claims success without writing a file', (id) => r.succeed(id, Buffer.alloc(0)), /missing/],
    [
      'writes a real MP4 of the wrong size and length',
      (id) => r.succeed(id, PLACEHOLDER_MP4),
      /expected 1280x720/,
    ],
  ];

  it.each(cases)(
    'the renderer %s: balance restored, one usage and one refund, failed with a reason',
    async (_name, act, reason) => {
      const user = await w.signup();
      const video = await generate(w, user);
      expect(await w.balance(user.id)).toBe(5);
      await until('render start', () => r.isRendering(video.id));
      await act(video.id);
      const done = await terminal(w, user, video.id);
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(reason);
      expect(done.creditsRefunded).toBe(5);
      expect(done.fileUrl).toBeNull();
      expect(await w.balance(user.id)).toBe(10);
      expect(await w.data.videoEntries({ videoId: video.id })).toEqual([
        { type: 'usage', amount: -5 },
        { type: 'refund', amount: 5 },
      ]);
      // No attempt's file, poster or staged copy is left behind.
      expect(filesOfVideo(w.config.videoDir, video.id)).toEqual([]);
      await w.assertInvariants();
    },
  );
});

describe('J2: the real ffmpeg renderer succeeds', () => {
  let w: World;
  beforeAll(async () => {
    w = await World.create({ renderer: createRenderer('ffmpeg') });
  });
  afterAll(async () => w?.close());

  it.each([
    [{ durationMinutes: 0.25, resolution: '1080p' }, 8, 1920, 1080, 15],
    [
      { durationMinutes: 0.1, resolution: '720p', customMusic: true, premiumTTS: true },
      10,
      1280,
      720,
      6,
    ],
  ])(
    '%j: one usage entry, no refund, completed, a playable MP4 of that size and length',
    async (options, cost, width, height, seconds) => {
      const user = await w.signup();
      await w.grant(user.id, 10);
      const video = await generate(w, user, { prompt: 'A lighthouse in a storm', ...options });
      const done = await terminal(w, user, video.id, 60_000);
      expect(done.status, done.error ?? '').toBe('completed');
      expect(done.creditsRefunded).toBe(0);
      expect(await w.data.videoEntries({ videoId: video.id })).toEqual([
        { type: 'usage', amount: -cost },
      ]);
      expect(await w.balance(user.id)).toBe(20 - cost);

      const file = await fetch(w.baseUrl + done.fileUrl!);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('video/mp4');
      const saved = path.join(w.dir, `${video.id}-download.mp4`);
      await writeFile(saved, Buffer.from(await file.arrayBuffer()));
      const probe = await probeVideo(saved);
      expect(probe).toMatchObject({ width, height, videoCodec: 'h264' });
      expect(Math.abs(probe.durationSeconds - seconds)).toBeLessThan(0.5);
      await w.assertInvariants();
    },
  );
});

describe('J4: completion and failure both reported, or cancel racing completion', () => {
  const r = controlledRenderer('controlled');
  let w: World;
  beforeAll(async () => {
    w = await World.create({
      env: { VIDEO_CONCURRENCY: '8' },
      renderer: r.renderer,
      verifyOutput: false,
    });
  });
  afterAll(async () => w?.close());

  const shuffle = <T>(items: T[], random: () => number) =>
    items
      .map((item) => ({ item, k: random() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.item);

  it('the store resolves a video once when completion and failure are both reported', async () => {
    const seed = newSeed();
    console.log(`J4 store race seed: ${seed}`);
    const random = prng(seed);
    const user = await w.signup();
    await w.grant(user.id, 200);
    for (let round = 0; round < 20; round++) {
      const video = await generate(w, user);
      await until('render start', () => r.isRendering(video.id));
      const now = new Date().toISOString();
      const reports = shuffle(
        [
          () =>
            w.store.finishVideo({
              id: video.id,
              finish: { status: 'completed', filePath: '/dev/null' },
              now,
            }),
          () =>
            w.store.finishVideo({
              id: video.id,
              finish: { status: 'failed', error: 'renderer died' },
              now,
            }),
          () =>
            w.store.finishVideo({
              id: video.id,
              finish: { status: 'canceled', error: 'user canceled' },
              now,
            }),
        ],
        random,
      );
      const results = await Promise.all(reports.map((f) => f()));
      expect(results.filter((x) => x.changed).length).toBe(1);
      const winner = results.find((x) => x.changed)!.video.status;
      const final = (await w.store.findVideo({ id: video.id }))!;
      expect(final.status).toBe(winner);
      const refunds = (await w.data.videoEntries({ videoId: video.id })).filter(
        (e) => e.type === 'refund',
      );
      expect(refunds.length).toBe(winner === 'completed' ? 0 : 1);
      // The renderer finishing afterwards is a no-op as well.
      await r.succeed(video.id);
      await until('job settled', () => !r.isRendering(video.id) && w.worker.activeCount === 0);
      expect((await w.store.findVideo({ id: video.id }))!.status).toBe(winner);
      // And the database itself refuses to move a terminal video (SQLite's trigger, on purpose).
      const { db } = sqliteAdapterInternals(w.store);
      expect(() =>
        db.prepare(`UPDATE video_generations SET status = 'queued' WHERE id = ?`).run(video.id),
      ).toThrow(/terminal/);
    }
    await w.assertInvariants();
  });

  it.each(['completes', 'fails'] as const)(
    'cancel racing a render that %s: exactly one terminal state, the loser is a no-op',
    async (outcome) => {
      const seed = newSeed();
      console.log(`J4 cancel-vs-${outcome} seed: ${seed}`);
      const random = prng(seed);
      const user = await w.signup();
      await w.grant(user.id, 200);
      const winners: Record<string, number> = {};
      for (let round = 0; round < 20; round++) {
        const before = await w.balance(user.id);
        const video = await generate(w, user);
        await until('render start', () => r.isRendering(video.id));
        let cancel: Awaited<ReturnType<World['call']>> | undefined;
        const racers = shuffle(
          [
            async () => {
              cancel = await w.call('POST', `/api/video/${video.id}/cancel`, {
                token: user.token,
              });
            },
            async () => {
              // The cancel may already have aborted the render.
              if (!r.isRendering(video.id)) return;
              if (outcome === 'completes') await r.succeed(video.id);
              else r.fail(video.id);
            },
          ],
          random,
        );
        // The second racer starts 0-8 ms later, so each side wins some rounds.
        const lag = Math.floor(random() * 9);
        await Promise.all([racers[0]!(), sleep(lag).then(racers[1]!)]);
        const done: Video = await terminal(w, user, video.id);
        winners[done.status] = (winners[done.status] ?? 0) + 1;
        const entries = await w.data.videoEntries({ videoId: video.id });
        if (done.status === 'completed') {
          expect(cancel!.status).toBe(409);
          expect(errorCode(cancel!)).toBe('INVALID_STATE');
          expect(entries).toEqual([{ type: 'usage', amount: -5 }]);
          expect(await w.balance(user.id)).toBe(before - 5);
        } else {
          expect(done.status).toBe(cancel!.status === 200 ? 'canceled' : 'failed');
          expect(entries).toEqual([
            { type: 'usage', amount: -5 },
            { type: 'refund', amount: 5 },
          ]);
          expect(await w.balance(user.id)).toBe(before);
          await until(
            'output removed',
            () => filesOfVideo(w.config.videoDir, video.id).length === 0 || undefined,
          );
        }
        await until('worker idle', () => w.worker.activeCount === 0);
      }
      console.log(`J4 cancel vs render ${outcome}: winners ${JSON.stringify(winners)}`);
      await w.assertInvariants();
    },
  );
});
