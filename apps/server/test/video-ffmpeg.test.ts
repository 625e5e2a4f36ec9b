import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRenderer, probeVideo } from '../src/video/renderers/index.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { generate, ledgerFor, waitForTerminal } from './helpers/video.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({}, { renderer: createRenderer('ffmpeg') });
});
afterAll(async () => h.close());

describe('a real video end to end (default ffmpeg renderer)', () => {
  it('renders a playable MP4 of the asked resolution and duration, served with ranges', async () => {
    const user = await h.signup();
    const res = await generate(h, user, {
      prompt: 'A lighthouse in a storm, "cinematic": 35mm',
      durationMinutes: 1,
      resolution: '720p',
      customMusic: true,
    });
    expect(res.status).toBe(202);
    expect(res.body.creditsUsed).toBe(7);
    const video = await waitForTerminal(h, user, res.body.video.id, 60_000);
    expect(video.status, video.error ?? '').toBe('completed');
    expect(await ledgerFor(h, video.id)).toEqual([{ type: 'usage', amount: -7 }]);

    const file = await h
      .http()
      .get(video.fileUrl!)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('video/mp4');
    expect(file.headers['accept-ranges']).toBe('bytes');
    const saved = path.join(h.dir, 'downloaded.mp4');
    await writeFile(saved, file.body as Buffer);
    const probe = await probeVideo(saved);
    expect(probe).toMatchObject({ width: 1280, height: 720, videoCodec: 'h264', hasAudio: true });
    expect(Math.abs(probe.durationSeconds - 60)).toBeLessThan(1);

    const range = await h.http().get(video.fileUrl!).set('Range', 'bytes=0-99');
    expect(range.status).toBe(206);
    expect(range.headers['content-range']).toMatch(/^bytes 0-99\/\d+$/);
    const beyond = await h.http().get(video.fileUrl!).set('Range', 'bytes=999999999-');
    expect(beyond.status, JSON.stringify(beyond.body)).toBe(416);
    await h.assertInvariants();
  });
});
