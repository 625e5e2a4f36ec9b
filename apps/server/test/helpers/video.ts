import { expect } from 'vitest';
import type { Video } from '@app/shared';
import type { Harness, TestUser } from './harness.ts';

export const ONE_MINUTE_720P = {
  prompt: 'A calm lake at dawn',
  durationMinutes: 1,
  resolution: '720p',
};

export async function generate(
  h: Harness,
  user: TestUser,
  body: object = ONE_MINUTE_720P,
  key?: string,
) {
  const req = h.http().post('/api/video/generate').set(user.auth);
  if (key) req.set('Idempotency-Key', key);
  return req.send(body);
}

/** Polls until the video reaches a terminal state (bounded). */
export async function waitForTerminal(
  h: Harness,
  user: TestUser,
  id: string,
  timeoutMs = 20_000,
): Promise<Video> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await h.http().get(`/api/video/${id}`).set(user.auth);
    expect(res.status).toBe(200);
    const video = res.body.video as Video;
    if (['completed', 'failed', 'canceled'].includes(video.status)) return video;
    if (Date.now() > deadline) throw new Error(`video ${id} still ${video.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function ledgerFor(h: Pick<Harness, 'data'>, videoId: string) {
  return h.data.videoEntries({ videoId });
}
