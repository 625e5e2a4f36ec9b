import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { createVideoStorage } from '../src/video/storage/create-video-storage.ts';
import { LocalDirectoryStorage } from '../src/video/storage/local-directory.ts';
import { InvalidVideoKeyError } from '../src/video/storage/video-storage.ts';
import { createHarness } from './helpers/harness.ts';

/** Issue 12: rendered files behind VideoStorage; the local adapter on real files. */

let root: string;
let dir: string;
let storage: LocalDirectoryStorage;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'video-storage-'));
  dir = path.join(root, 'videos');
  storage = new LocalDirectoryStorage({ dir });
});
afterEach(async () => rm(root, { recursive: true, force: true }));

const read = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const put = async (key: string, bytes: Buffer | string) => {
  const staged = await storage.stage(key);
  await writeFile(staged.path, bytes);
  await staged.publish();
};

const VIDEO_ID = '0190f5d2-7a3e-7c4b-9d1e-2f3a4b5c6d7e';

describe('keys', () => {
  it('are one name per attempt, bare by default and absolute when asked', () => {
    expect(storage.keyFor({ videoId: VIDEO_ID, attempt: 2 })).toBe(`${VIDEO_ID}-2.mp4`);
    expect(storage.posterKeyOf(`${VIDEO_ID}-2.mp4`)).toBe(`${VIDEO_ID}-2.poster.jpg`);
    const absolute = new LocalDirectoryStorage({ dir, absoluteKeys: true });
    const key = absolute.keyFor({ videoId: VIDEO_ID, attempt: 1 });
    expect(key).toBe(path.join(dir, `${VIDEO_ID}-1.mp4`));
    expect(absolute.posterKeyOf(key)).toBe(path.join(dir, `${VIDEO_ID}-1.poster.jpg`));
    // The configured storage hands out bare keys: records survive the directory moving.
    expect(createVideoStorage({ videoDir: dir }).keyFor({ videoId: VIDEO_ID, attempt: 1 })).toBe(
      `${VIDEO_ID}-1.mp4`,
    );
  });

  it('refuse ids and attempts that would not make one plain name', () => {
    for (const ref of [
      { videoId: '../x', attempt: 1 },
      { videoId: 'a/b', attempt: 1 },
      { videoId: '.hidden', attempt: 1 },
      { videoId: 'x', attempt: -1 },
      { videoId: 'x', attempt: 1.5 },
    ]) {
      expect(() => storage.keyFor(ref), JSON.stringify(ref)).toThrow(InvalidVideoKeyError);
    }
  });
});

describe('the local directory', () => {
  it('publishes, opens (whole and by range), stats and removes a file readable only by its owner', async () => {
    const key = storage.keyFor({ videoId: VIDEO_ID, attempt: 1 });
    const bytes = randomBytes(10_000);
    expect(await storage.stat(key)).toBeNull();
    expect(await storage.open(key)).toBeNull();
    await put(key, bytes);

    const info = await storage.stat(key);
    expect(info?.size).toBe(10_000);
    expect((await stat(path.join(dir, key))).mode & 0o777).toBe(0o600);

    const whole = await storage.open(key);
    expect(whole).toMatchObject({ size: 10_000, start: 0, end: 9_999 });
    expect((await read(whole!.stream)).equals(bytes)).toBe(true);

    const part = await storage.open(key, { start: 100, end: 199 });
    expect(part).toMatchObject({ size: 10_000, start: 100, end: 199 });
    expect((await read(part!.stream)).equals(bytes.subarray(100, 200))).toBe(true);

    // An end past the file is clamped, as HTTP asks; a start past it is 416 with the size.
    const tail = await storage.open(key, { start: 9_990, end: 50_000 });
    expect(tail).toMatchObject({ start: 9_990, end: 9_999 });
    expect((await read(tail!.stream)).equals(bytes.subarray(9_990))).toBe(true);
    const outside = await storage.open(key, { start: 10_000, end: 10_010 }).catch((e) => e);
    expect(outside).toBeInstanceOf(AppError);
    expect(outside).toMatchObject({
      code: 'RANGE_NOT_SATISFIABLE',
      headers: { 'Content-Range': 'bytes */10000' },
    });
    await expect(storage.open(key, { start: 5, end: 4 })).rejects.toBeInstanceOf(RangeError);

    await storage.remove(key);
    expect(await storage.stat(key)).toBeNull();
    expect(await storage.open(key)).toBeNull();
    await storage.remove(key); // nothing there is not an error
  });

  it('serves an empty file', async () => {
    const key = storage.keyFor({ videoId: VIDEO_ID, attempt: 1 });
    await put(key, '');
    const opened = await storage.open(key);
    expect(opened).toMatchObject({ size: 0 });
    expect((await read(opened!.stream)).length).toBe(0);
  });

  it('shows nothing under a key until publish, then the whole file at once', async () => {
    const key = storage.keyFor({ videoId: VIDEO_ID, attempt: 1 });
    const chunk = randomBytes(64 * 1024);
    const chunks = 64; // 4 MiB written in pieces, with turns of the event loop between them
    const staged = await storage.stage(key);
    expect(path.dirname(staged.path)).toBe(dir);
    expect(() => storage.pathOf(path.basename(staged.path))).toThrow(InvalidVideoKeyError);

    const seen: (number | null)[] = [];
    let writing = true;
    const watch = (async () => {
      while (writing) {
        const opened = await storage.open(key);
        if (opened) {
          seen.push((await read(opened.stream)).length);
        } else seen.push(null);
        seen.push((await storage.stat(key))?.size ?? null);
      }
    })();
    const out = createWriteStream(staged.path);
    for (let i = 0; i < chunks; i++) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      await new Promise((r) => setImmediate(r));
    }
    await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
    expect(await storage.stat(key)).toBeNull();
    await staged.publish();
    await new Promise((r) => setTimeout(r, 20));
    writing = false;
    await watch;

    const full = chunk.length * chunks;
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every((s) => s === null || s === full)).toBe(true);
    expect(seen.at(-1)).toBe(full);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('discards a staged file without touching what is published', async () => {
    const key = storage.keyFor({ videoId: VIDEO_ID, attempt: 1 });
    await put(key, 'published');
    const again = await storage.stage(key);
    await writeFile(again.path, 'half a render');
    await again.discard();
    await again.discard();
    expect(existsSync(again.path)).toBe(false);
    expect(await readFile(path.join(dir, key), 'utf8')).toBe('published');
    // Publishing nothing fails instead of completing a video without a file.
    const empty = await storage.stage(storage.keyFor({ videoId: VIDEO_ID, attempt: 2 }));
    await expect(empty.publish()).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("lets a stale attempt remove only its own files, never the winner's", async () => {
    const stale = storage.keyFor({ videoId: VIDEO_ID, attempt: 1 });
    const winner = storage.keyFor({ videoId: VIDEO_ID, attempt: 2 });
    expect(stale).not.toBe(winner);
    await put(winner, 'winner');
    await put(storage.posterKeyOf(winner), 'winner poster');
    await put(stale, 'stale');
    await put(storage.posterKeyOf(stale), 'stale poster');

    await storage.remove(stale);
    await storage.remove(storage.posterKeyOf(stale));

    expect(await storage.stat(stale)).toBeNull();
    expect(await storage.stat(storage.posterKeyOf(stale))).toBeNull();
    expect(await readFile(path.join(dir, winner), 'utf8')).toBe('winner');
    expect(await readFile(path.join(dir, storage.posterKeyOf(winner)), 'utf8')).toBe(
      'winner poster',
    );
  });

  it('refuses every key that could name something outside the directory', async () => {
    const sentinel = path.join(root, 'sentinel.mp4');
    await writeFile(sentinel, 'not a video');
    const bad = [
      '../sentinel.mp4',
      'sub/../../sentinel.mp4',
      'a/b.mp4',
      '..\\sentinel.mp4',
      '..',
      '.',
      '',
      '.hidden.mp4',
      `x\0.mp4`,
      sentinel,
      '/etc/passwd',
      path.join(dir, '..', 'sentinel.mp4'),
      path.join(dir, 'sub', 'x.mp4'),
      `${dir}-sibling/x.mp4`,
      `${path.join(dir, 'x.mp4')}\0`,
      dir,
    ];
    for (const key of bad) {
      const label = JSON.stringify(key);
      await expect(storage.open(key), label).rejects.toBeInstanceOf(InvalidVideoKeyError);
      await expect(storage.stat(key), label).rejects.toBeInstanceOf(InvalidVideoKeyError);
      await expect(storage.remove(key), label).rejects.toBeInstanceOf(InvalidVideoKeyError);
      await expect(storage.stage(key), label).rejects.toBeInstanceOf(InvalidVideoKeyError);
      expect(() => storage.posterKeyOf(key), label).toThrow(InvalidVideoKeyError);
    }
    expect(await readFile(sentinel, 'utf8')).toBe('not a video');
  });

  it('does not follow a symlink planted in the directory', async () => {
    const outside = path.join(root, 'secret.mp4');
    await writeFile(outside, 'secret');
    await symlink(outside, path.join(dir, 'planted.mp4'));
    expect(await storage.open('planted.mp4')).toBeNull();
    expect(await storage.stat('planted.mp4')).toBeNull();
    await storage.remove('planted.mp4');
    expect(await readFile(outside, 'utf8')).toBe('secret');
  });

  it('accepts the absolute paths inside the directory that older records hold', async () => {
    const key = storage.keyFor({ videoId: VIDEO_ID, attempt: 1 });
    await put(key, 'old row');
    const legacy = path.join(dir, key);
    expect(storage.pathOf(legacy)).toBe(legacy);
    expect(await storage.stat(legacy)).toMatchObject({ size: 7 });
    expect((await read((await storage.open(legacy))!.stream)).toString()).toBe('old row');
    // Not normalised by hand: `dir/./name` is the same file.
    expect(await storage.stat(`${dir}/./${key}`)).toMatchObject({ size: 7 });
    const poster = storage.posterKeyOf(legacy);
    expect(poster).toBe(path.join(dir, storage.posterKeyOf(key)));
    await put(storage.posterKeyOf(key), 'jpeg');
    await storage.remove(poster);
    await storage.remove(legacy);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('abandoned staged files (a process that died mid-render)', () => {
  const hourAgo = () => new Date(Date.now() - 3600_000);

  it('sweeps staged files written before the cut-off, and nothing else', async () => {
    const old = await storage.stage(storage.keyFor({ videoId: VIDEO_ID, attempt: 1 }));
    await writeFile(old.path, 'half a render');
    await utimes(old.path, hourAgo(), hourAgo());
    const live = await storage.stage(storage.keyFor({ videoId: VIDEO_ID, attempt: 2 }));
    await writeFile(live.path, 'still rendering');
    await put(storage.keyFor({ videoId: VIDEO_ID, attempt: 3 }), 'a finished video');
    const finished = path.join(dir, `${VIDEO_ID}-3.mp4`);
    await utimes(finished, hourAgo(), hourAgo());
    const unrelated = path.join(dir, '.keep');
    await writeFile(unrelated, '');
    await utimes(unrelated, hourAgo(), hourAgo());

    const cutOff = new Date(Date.now() - 60_000);
    expect(await storage.sweepAbandoned({ before: cutOff })).toBe(1);
    expect(existsSync(old.path)).toBe(false);
    expect(existsSync(live.path)).toBe(true);
    expect(existsSync(finished)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
    expect(await storage.sweepAbandoned({ before: cutOff })).toBe(0);
  });

  it('a starting worker sweeps what a dead process staged long ago', async () => {
    const h = await createHarness({ VIDEO_DIR: dir }, { startWorker: false });
    try {
      const old = await storage.stage(storage.keyFor({ videoId: VIDEO_ID, attempt: 1 }));
      await writeFile(old.path, 'left by a crash');
      await utimes(old.path, hourAgo(), hourAgo());
      const recent = await storage.stage(storage.keyFor({ videoId: VIDEO_ID, attempt: 2 }));
      await writeFile(recent.path, 'another instance, rendering now');
      await h.worker.start();
      expect(existsSync(old.path)).toBe(false);
      expect(existsSync(recent.path)).toBe(true);
    } finally {
      await h.close();
    }
  });
});
