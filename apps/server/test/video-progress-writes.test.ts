import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenewVideoLeaseInput, Store } from '../src/store/types.ts';
import { createVideoWorker } from '../src/video/create-worker.ts';
import { createNoopRenderer, type Renderer } from '../src/video/renderers/index.ts';
import type { VideoWorker } from '../src/video/worker.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { generate, waitForTerminal } from './helpers/video.ts';

/**
 * Progress writes that cannot change the record are not made. Every render reports 0 first;
 * the worker used to write it at once (a transaction, six round trips on PostgreSQL, and a
 * re-read), although the store never lowers progress and the claim had just set the lease.
 */
let h: Harness;
let worker: VideoWorker;
const progressWrites: number[] = [];

/** Reports 0, 40 and 40 again, then finishes like the no-op renderer. */
const reportingRenderer: Renderer = {
  name: 'reporting',
  async render(job) {
    job.onProgress(0);
    job.onProgress(40);
    job.onProgress(40);
    await createNoopRenderer().render(job);
  },
};

beforeAll(async () => {
  h = await createHarness({}, { startWorker: false });
  // The real store, with its lease renewals recorded on the way through.
  const store = new Proxy(h.store, {
    get(target, prop, receiver) {
      if (prop === 'renewVideoLease') {
        return (input: RenewVideoLeaseInput) => {
          if (input.progress !== undefined) progressWrites.push(input.progress);
          return target.renewVideoLease(input);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Store;
  worker = createVideoWorker({
    config: h.config,
    store,
    log: pino({ level: 'silent' }),
    renderer: reportingRenderer,
    verifyOutput: false,
  });
  await worker.start();
});
afterAll(async () => {
  await worker.stop();
  await h.close();
});

describe('render progress writes', () => {
  it('skips reports at or below the recorded progress, and writes the first one above it', async () => {
    const user = await h.signup();
    const res = await generate(h, user);
    expect(res.status).toBe(202);
    worker.wake();
    const video = await waitForTerminal(h, user, res.body.video.id as string);
    expect(video.status).toBe('completed');
    expect(progressWrites).toEqual([40]);
    await h.assertInvariants();
  });
});
