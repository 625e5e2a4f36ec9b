import { calculateCost } from '@app/shared';
import { randomUUID } from 'node:crypto';
import type { Harness } from './harness.ts';

/** Charges a real video through the store and optionally resolves it, for ledger fixtures. */
export async function seedVideo(
  h: Pick<Harness, 'store'>,
  userId: string,
  durationMinutes: number,
  finish?: 'completed' | 'failed',
) {
  const id = randomUUID();
  const now = new Date().toISOString();
  const result = await h.store.chargeAndCreateVideo({
    // Fixtures seed many videos per user; the queued cap has its own tests.
    maxQueued: Number.MAX_SAFE_INTEGER,
    video: {
      id,
      userId,
      idempotencyKey: null,
      prompt: 'fixture',
      durationMinutes,
      resolution: '720p',
      customMusic: false,
      premiumTTS: false,
      aiEnhancement: false,
      creditsUsed: calculateCost({ durationMinutes, resolution: '720p' }).total,
      createdAt: now,
    },
  });
  if (result.kind !== 'created') throw new Error(`fixture video not created: ${result.kind}`);
  if (finish === 'completed')
    await h.store.finishVideo({ id, finish: { status: 'completed', filePath: '/dev/null' }, now });
  if (finish === 'failed')
    await h.store.finishVideo({ id, finish: { status: 'failed', error: 'fixture' }, now });
  return id;
}
