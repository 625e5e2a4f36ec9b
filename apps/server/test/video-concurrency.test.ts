import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.ts';
import { gatedRenderer } from './helpers/renderers.ts';
import { generate, waitFor, waitForTerminal } from './helpers/video.ts';

/**
 * VIDEO_CONCURRENCY is a hard cap. Every generate wakes the worker; each wake used to start
 * its own claim loop, and all of them checked "fewer than N rendering" before any claim had
 * returned, so a burst of generates put dozens of videos into `processing` at once (33 on
 * SQLite and 97 on PostgreSQL at VIDEO_CONCURRENCY=2 under `pnpm bench`).
 */
let h: Harness;
const gate = gatedRenderer();
const CONCURRENCY = 2;
const VIDEOS = 24;

beforeAll(async () => {
  h = await createHarness(
    { VIDEO_CONCURRENCY: String(CONCURRENCY) },
    { renderer: gate.renderer, verifyOutput: false },
  );
});
afterAll(async () => h.close());

describe('the render worker under a burst of generates', () => {
  it(`never renders more than VIDEO_CONCURRENCY (${CONCURRENCY}) videos at once`, async () => {
    const users = await Promise.all(Array.from({ length: VIDEOS }, () => h.signup()));
    const accepted = await Promise.all(users.map((u) => generate(h, u)));
    expect(accepted.map((r) => r.status)).toEqual(Array(VIDEOS).fill(202));
    const ids = accepted.map((r) => r.body.video.id as string);

    await waitFor(() => gate.started.length >= CONCURRENCY);
    // Give every other wake-up time to claim, if it (wrongly) could.
    await new Promise((r) => setTimeout(r, 300));
    const rendering = () => ids.filter((id) => gate.isRendering(id));
    expect(rendering()).toHaveLength(CONCURRENCY);
    expect(gate.started).toHaveLength(CONCURRENCY);

    // Finishing one lets exactly one more start, until all are done.
    while (gate.started.length < VIDEOS || rendering().length > 0) {
      const [next] = rendering();
      expect(rendering().length).toBeLessThanOrEqual(CONCURRENCY);
      if (next) await gate.succeed(next);
      await new Promise((r) => setTimeout(r, 20));
      expect(rendering().length).toBeLessThanOrEqual(CONCURRENCY);
    }
    for (const [i, id] of ids.entries()) {
      expect((await waitForTerminal(h, users[i]!, id)).status).toBe('completed');
    }
    await h.assertInvariants();
  }, 60_000);
});
