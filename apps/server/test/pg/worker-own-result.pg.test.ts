import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openPgStore, type PgStore } from '../../src/store/pg/pg-store.ts';
import { pgTestData } from '../../src/store/pg/test-data.ts';
import type { FinishVideoInput, Store } from '../../src/store/types.ts';
import { createVideoWorker } from '../../src/video/create-worker.ts';
import { createNoopRenderer } from '../../src/video/renderers/index.ts';
import { sleep, until } from '../battery/support/client.ts';
import { charge, newUser } from '../store/contract/fixtures.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

/**
 * Every result a worker records is announced to every instance, its own included. While the
 * worker is still recording it, that announcement is its own result: re-reading the video
 * would be a wasted query on every job. (The abort the re-read could lead to is not
 * observable here: the render has already finished.)
 * The store here is the real PostgreSQL store; the only thing added is a hold on the
 * worker's `finishVideo` answer until this test has heard the announcement too, so the
 * worker hears it while it is still recording, every time.
 */
describe('PostgreSQL: a worker hearing the announcement of its own result', () => {
  let database: TestDatabase;
  let store: PgStore;
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = openPgStore({ connectionString: database.appUrl, max: 4 });
    dir = mkdtempSync(path.join(tmpdir(), 'credit-own-result-'));
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not re-read the video while it records the result', async () => {
    const userId = await newUser(store);
    await pgTestData(store).grantCredits({ userId, amount: 10 });
    const announced = new Set<string>();
    const stopListening = await store.listenVideoEvents({
      onVideo: (id) => announced.add(id),
      onQueued: () => undefined,
      onGap: () => undefined,
    });
    let recording: string | undefined;
    const readsWhileRecording: string[] = [];
    const observed = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'findVideo') {
          return (input: { id: string }) => {
            if (input.id === recording) readsWhileRecording.push(input.id);
            return target.findVideo(input);
          };
        }
        if (key === 'finishVideo') {
          return async (input: FinishVideoInput) => {
            recording = input.id;
            const result = await target.finishVideo(input);
            // The worker's own listener hears it at about the same moment as this one.
            await until('the result announced', () => announced.has(input.id), 5000);
            await sleep(200);
            recording = undefined;
            return result;
          };
        }
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Store;
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const worker = createVideoWorker({
      config,
      store: observed,
      log: pino({ level: 'silent' }),
      renderer: createNoopRenderer(),
    });
    await worker.start();
    try {
      const created = await store.chargeAndCreateVideo(charge(userId, 5));
      if (created.kind !== 'created') throw new Error(created.kind);
      const id = created.video.id;
      const done = await until(
        'the video completed',
        async () => {
          const v = await store.findVideo({ id });
          return v?.status === 'completed' ? v : undefined;
        },
        10_000,
        20,
      );
      expect(announced.has(id)).toBe(true);
      expect(readsWhileRecording).toEqual([]);
      expect(done.creditsRefunded).toBe(0);
    } finally {
      await worker.stop();
      await stopListening();
    }
    expect(await store.verifyInvariants()).toEqual([]);
  });
});
