import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateVideoResponseSchema, VideoSchema } from '@app/shared';
import { createFfmpegRenderer } from '../../src/video/renderers/index.ts';
import { until } from './support/client.ts';
import { startProcessWorld, type ProcessWorld } from './support/server-process.ts';
import { World } from './support/world.ts';

/**
 * Section G (issue 10, finding 3): a render whose ffmpeg/ffprobe cannot be started (no file
 * descriptors left, no binary, no permission) is an ordinary render failure: the video fails,
 * is refunded once, and the server keeps running. Before, the 'error' listener was attached
 * after `child.stdout` was touched, which is null when spawn fails with EMFILE, and the
 * unhandled 'error' event killed the process.
 */

const ONE_MINUTE = { prompt: 'A calm lake at dawn', durationMinutes: 1, resolution: '720p' };

describe('G3 spawn failures in process: no binary, or a file that is not executable', () => {
  let w: World;
  let notExecutable: string;
  let renderer: 'missing' | 'not-executable' = 'missing';
  beforeAll(async () => {
    w = await World.create({
      renderer: {
        name: 'ffmpeg-unstartable',
        render: (job) =>
          createFfmpegRenderer({
            ffmpegPath: renderer === 'missing' ? path.join(w.dir, 'no-ffmpeg') : notExecutable,
          }).render(job),
      },
    });
    notExecutable = path.join(w.dir, 'ffmpeg-not-executable');
    writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n');
    chmodSync(notExecutable, 0o600);
  });
  afterAll(async () => w?.close());

  it.each(['missing', 'not-executable'] as const)(
    'ffmpeg %s: failed with a safe message, refunded once, server alive',
    async (kind) => {
      renderer = kind;
      const user = await w.signup();
      const res = await w.call('POST', '/api/video/generate', {
        token: user.token,
        body: ONE_MINUTE,
      });
      expect(res.status, res.text).toBe(202);
      const id = GenerateVideoResponseSchema.parse(res.body).video.id;
      const video = await until('terminal', async () => {
        const v = VideoSchema.parse(
          (
            (await w.call('GET', `/api/video/${id}`, { token: user.token })).body as {
              video: unknown;
            }
          ).video,
        );
        return v.status === 'failed' ? v : undefined;
      });
      expect(video.error).toBe('The video renderer could not be started');
      expect(video.creditsRefunded).toBe(5);
      expect(await w.data.videoEntries({ videoId: id })).toEqual([
        { type: 'usage', amount: -5 },
        { type: 'refund', amount: 5 },
      ]);
      expect((await w.call('GET', '/healthz')).status).toBe(200);
      await w.assertInvariants();
    },
  );
});

/** One request on its own connection, closed afterwards: the server holds no socket for it. */
function once(
  baseUrl: string,
  method: string,
  urlPath: string,
  o: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      baseUrl + urlPath,
      {
        method,
        agent: false,
        headers: {
          Connection: 'close',
          ...(o.token ? { Authorization: `Bearer ${o.token}` } : {}),
          ...(o.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text ? (JSON.parse(text) as unknown) : null,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(o.body === undefined ? undefined : JSON.stringify(o.body));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const openFds = (pid: number) =>
  readdirSync(`/proc/${pid}/fd`)
    .map(Number)
    .sort((a, b) => a - b);

/** The soft RLIMIT_NOFILE of a running process, from /proc. */
const softFdLimit = (pid: number) =>
  Number(/^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))![1]);

const setSoftFdLimit = (pid: number, soft: number) =>
  execFileSync('prlimit', ['--pid', String(pid), `--nofile=${soft}:`]);

/**
 * A soft fd limit that leaves between 2 and 5 descriptors for the process once ffmpeg's two
 * pipes close: enough for the checks that open the rendered file, too few for a spawn (two
 * socket pairs for stdout/stderr and libuv's exec-error pipe: six).
 */
function starvingLimit(used: number[]): number {
  const holes: number[] = [];
  for (let fd = 0, i = 0; fd <= used[used.length - 1]!; fd++) {
    if (used[i] === fd) i++;
    else holes.push(fd);
  }
  return holes.length > 3 ? holes[3]! : used[used.length - 1]! + 1;
}

describe.skipIf(process.platform !== 'linux')(
  'G3 EMFILE during a render: the real server, out of file descriptors',
  () => {
    let p: ProcessWorld;
    beforeAll(async () => {
      // The real ffmpeg renderer and output check, one render at a time.
      p = await startProcessWorld({ VIDEO_CONCURRENCY: '1', LOG_LEVEL: 'error' });
    });
    afterAll(async () => p?.close());

    it('ffprobe cannot be spawned: the video fails, is refunded once, the server answers', async () => {
      const pid = p.proc.pid;
      const signup = await once(p.proc.baseUrl, 'POST', '/api/auth/signup', {
        body: {
          email: `emfile-${Date.now()}@example.com`,
          password: 'correct horse battery',
          name: 'E',
        },
      });
      expect(signup.status).toBe(201);
      const { token, user } = signup.body as { token: string; user: { id: string } };
      await p.grant(user.id, 300);
      // An hour of 720p: seconds of real encoding, during which the limit is lowered.
      const res = await once(p.proc.baseUrl, 'POST', '/api/video/generate', {
        token,
        body: { prompt: 'A long slow sunrise', durationMinutes: 60, resolution: '720p' },
      });
      expect(res.status).toBe(202);
      const id = GenerateVideoResponseSchema.parse(res.body).video.id;
      const row = async () =>
        (
          await p.data.rows({
            table: 'video_generations',
            columns: ['status', 'progress', 'error', 'credits_refunded'],
            where: { id },
          })
        )[0] as {
          status: string;
          progress: number;
          error: string | null;
          credits_refunded: number;
        };
      await until('ffmpeg encoding', async () => (await row()).progress > 0 || undefined, 60_000);

      // ffmpeg is running; the server opens nothing until it ends. From here on the test
      // reads the database through its own connection and sends the server nothing.
      const original = softFdLimit(pid);
      setSoftFdLimit(pid, starvingLimit(openFds(pid)));
      const lowered = await row();
      expect(lowered.status, 'the render ended before the limit was lowered').toBe('processing');

      await until(
        'video resolved or server gone',
        async () =>
          !alive(pid) || ['completed', 'failed'].includes((await row()).status) || undefined,
        120_000,
        20,
      );
      expect(alive(pid), `the server died:\n${p.proc.output()}`).toBe(true);
      setSoftFdLimit(pid, original);

      const done = await row();
      expect(done.status).toBe('failed');
      expect(done.error).toBe('The video renderer could not be started');
      expect(done.credits_refunded).toBe(300);
      expect(await p.data.videoEntries({ videoId: id })).toEqual([
        { type: 'usage', amount: -300 },
        { type: 'refund', amount: 300 },
      ]);
      expect(await p.balance(user.id)).toBe(310);
      expect((await once(p.proc.baseUrl, 'GET', '/healthz')).status).toBe(200);
      const video = await once(p.proc.baseUrl, 'GET', `/api/video/${id}`, { token });
      expect(video.status).toBe(200);
      expect(video.body).toMatchObject({ video: { status: 'failed', creditsRefunded: 300 } });
      await p.assertInvariants();
    });
  },
);
