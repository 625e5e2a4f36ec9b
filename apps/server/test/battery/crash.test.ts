import { afterEach, describe, expect, it } from 'vitest';
import { GenerateVideoResponseSchema } from '@app/shared';
import { newSeed, prng, sleep, until } from './support/client.ts';
import {
  runLedgerVerify,
  startProcessWorld,
  startServerProcess,
  type ProcessWorld,
} from './support/server-process.ts';

/** J3 and F1: SIGKILL of the real server process, restart on the same DATA_DIR. */

let p: ProcessWorld | undefined;
afterEach(async () => {
  await p?.close();
  p = undefined;
});

const TERMINAL = ['completed', 'failed', 'canceled'];

describe('J3: SIGKILL after the charge commits, before and during rendering', () => {
  it('renders every interrupted video again within 2 s of its lease expiring, resolves each once, charges nothing twice', async () => {
    // Three render slots for four videos: at the kill three are rendering and one is charged
    // but still waiting for a slot (before rendering). Nothing is recovered "at restart": the
    // dead process's leases (1.5 s) run out and the reaper requeues their videos.
    const env = { VIDEO_RENDERER: 'ffmpeg', VIDEO_CONCURRENCY: '3', VIDEO_LEASE_MS: '1500' };
    p = await startProcessWorld(env);
    const w = p;
    const user = await w.signup();
    await w.grant(user.id, 90);
    const body = { prompt: 'A lighthouse in a storm', durationMinutes: 1, resolution: '1080p' };
    const generate = async (i: number) => {
      const res = await w.call('POST', '/api/video/generate', {
        token: user.token,
        body,
        headers: { 'Idempotency-Key': `j3-${i}` },
      });
      expect(res.status, res.text).toBe(202);
      return GenerateVideoResponseSchema.parse(res.body).video.id;
    };
    // Three videos are rendering (ffmpeg running) when the fourth is charged; the process
    // dies right after the fourth is acknowledged.
    const ids = [await generate(1), await generate(2), await generate(3)];
    await until(
      'three renders running',
      async () =>
        (await w.data.videosOf({ userId: user.id })).filter((v) => v.status === 'processing')
          .length === 3,
      10_000,
    );
    ids.push(await generate(4));
    await w.proc.kill9();

    const atKill = await w.data.videosOf({ userId: user.id });
    console.log(`J3 statuses at SIGKILL: ${atKill.map((v) => v.status).join(', ')}`);
    expect(atKill.map((v) => v.status)).toEqual([
      'processing',
      'processing',
      'processing',
      'queued',
    ]);
    for (const id of ids)
      expect(await w.data.videoEntries({ videoId: id })).toEqual([{ type: 'usage', amount: -8 }]);
    expect(await w.balance(user.id)).toBe(100 - 32);

    w.proc = await startServerProcess(w.dir, env);
    // The interrupted renders run again under a new lease (attempt 2) or are done; the waiting
    // one is queued or running. The leases had long run out by the time the process listened.
    const resumedAfter = await until(
      'every interrupted video terminal or claimed again',
      async () => {
        const all = await w.data.videosOf({ userId: user.id });
        const ok = all.every(
          (v, i) => TERMINAL.includes(v.status) || (i === 3 ? true : v.attempts >= 2),
        );
        return ok ? Date.now() - w.proc.readyAt : undefined;
      },
      2000,
      10,
    ).catch(() => Infinity);
    console.log(
      `J3 restart: listening ${w.proc.readyAt - w.proc.spawnedAt} ms after spawn; ` +
        `every interrupted video running again ${resumedAfter} ms after listening`,
    );
    expect(resumedAfter).toBeLessThanOrEqual(2000);

    await until(
      'every video terminal',
      async () =>
        (await w.data.videosOf({ userId: user.id })).every((v) => TERMINAL.includes(v.status)),
      90_000,
      100,
    );
    const finals = await w.data.videosOf({ userId: user.id });
    let spent = 0;
    for (const v of finals) {
      expect(v.status, v.error ?? '').toBe('completed');
      expect(v.attempts).toBeGreaterThanOrEqual(1);
      expect(await w.data.videoEntries({ videoId: v.id })).toEqual([{ type: 'usage', amount: -8 }]);
      spent += v.cost;
    }
    expect(await w.balance(user.id)).toBe(100 - spent);
    await w.assertInvariants();
    const verify = await runLedgerVerify(w.dbFile);
    expect(verify.code, verify.output).toBe(0);
  }, 180_000);
});

describe('F1: SIGKILL at a random moment under load on POST /api/video/generate, 20 rounds', () => {
  it('keeps every acknowledged debit, never duplicates a retried one, and keeps I1-I8', async () => {
    const seed = newSeed();
    console.log(`F1 kill-timing seed: ${seed}`);
    const random = prng(seed);
    const env = { VIDEO_RENDERER: 'noop', VIDEO_CONCURRENCY: '2' };
    p = await startProcessWorld(env);
    const w = p;
    const user = await w.signup();
    await w.grant(user.id, 1_000_000);
    const bodies = [
      { prompt: 'five', durationMinutes: 1, resolution: '720p' },
      { prompt: 'eight', durationMinutes: 1, resolution: '1080p' },
      {
        prompt: 'twelve',
        durationMinutes: 1,
        resolution: '720p',
        premiumTTS: true,
        aiEnhancement: true,
      },
    ];
    /** key -> video id, for every request whose 202 reached the client. */
    const acked = new Map<string, string>();
    let unacked: Array<{ key: string; body: object }> = [];
    const send = (key: string, body: object) =>
      w.call('POST', '/api/video/generate', {
        token: user.token,
        body,
        headers: { 'Idempotency-Key': key },
      });
    let replayed = 0;
    const retryUnacked = async () => {
      for (const u of unacked) {
        const res = await send(u.key, u.body);
        expect(res.status, res.text).toBe(202);
        // Committed before the kill but never acknowledged: the retry finds the same video.
        if (res.headers.get('idempotent-replayed') === 'true') replayed += 1;
        acked.set(u.key, GenerateVideoResponseSchema.parse(res.body).video.id);
      }
      const retried = unacked.length;
      unacked = [];
      return retried;
    };
    const stats: string[] = [];

    for (let round = 1; round <= 20; round++) {
      const retried = await retryUnacked();
      let killed = false;
      let sent = 0;
      const client = async (c: number) => {
        for (let n = 0; !killed && n < 2000; n++) {
          const key = `f1-${round}-${c}-${n}`;
          const body = bodies[(c + n) % bodies.length]!;
          sent += 1;
          let res;
          try {
            res = await send(key, body);
          } catch (err) {
            if (!killed) throw err;
            unacked.push({ key, body });
            return;
          }
          expect(res.status, res.text).toBe(202);
          acked.set(key, GenerateVideoResponseSchema.parse(res.body).video.id);
        }
      };
      const clients = Array.from({ length: 8 }, (_, c) => client(c));
      const killAfter = Math.floor(20 + random() * 280);
      await sleep(killAfter);
      killed = true;
      await w.proc.kill9();
      await Promise.all(clients);
      stats.push(
        `r${round}: kill@${killAfter}ms sent ${sent} unacked ${unacked.length} retried ${retried}`,
      );

      // Every acknowledged debit is on disk, once.
      const byKey = new Map((await w.data.videosOf({ userId: user.id })).map((v) => [v.key, v]));
      for (const [key, id] of acked) {
        expect(byKey.get(key)?.id, key).toBe(id);
      }
      await w.assertInvariants();
      w.proc = await startServerProcess(w.dir, env);
    }
    await retryUnacked();
    console.log(`F1 rounds: ${stats.join('; ')}`);
    console.log(`F1: ${acked.size} videos; ${replayed} retries found a debit made before the kill`);

    const videos = await w.data.videosOf({ userId: user.id });
    // No duplicates: exactly one video per key that was ever acknowledged, and nothing else.
    expect(videos.length).toBe(acked.size);
    expect(new Set(videos.map((v) => v.id))).toEqual(new Set(acked.values()));
    for (const v of videos) {
      expect(acked.get(v.key!)).toBe(v.id);
      const usage = (await w.data.videoEntries({ videoId: v.id })).filter(
        (e) => e.type === 'usage',
      );
      expect(usage).toEqual([{ type: 'usage', amount: -v.cost }]);
    }
    const net = videos.reduce((sum, v) => sum + v.cost - v.refunded, 0);
    expect(await w.balance(user.id)).toBe(1_000_010 - net);
    await w.assertInvariants();
    const verify = await runLedgerVerify(w.dbFile);
    expect(verify.code, verify.output).toBe(0);
  }, 240_000);
});
