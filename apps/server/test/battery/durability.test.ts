import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GenerateVideoResponseSchema } from '@app/shared';
import { newSeed, prng, until } from './support/client.ts';
import {
  runLedgerVerify,
  startProcessWorld,
  startServerProcess,
  type ProcessWorld,
} from './support/server-process.ts';

/**
 * Section I of the battery, D1. A power cut cannot be simulated here; what can be is the
 * window it would expose: the process dies right after a COMMIT and before the HTTP answer
 * (TEST_KILL_AFTER_LEDGER_COMMITS, honoured only with NODE_ENV=test). By default (`full`)
 * SQLite flushes the WAL inside COMMIT; with `durable` the server flushes it on another thread
 * before any answer. The rounds alternate between the two; either way, after a restart the
 * committed write must be there and a retry with the same Idempotency-Key must replay it
 * instead of charging again.
 */

let p: ProcessWorld | undefined;
afterEach(async () => {
  await p?.close();
  p = undefined;
});

const SYNCHRONOUS_LINE =
  /sqlite: journal_mode=(\w+) synchronous=(\d) wal_flush_before_ack=(on|off)/;
/** Each round starts two server processes (about 4 s each on a loaded 2-core machine). */
const ROUNDS = 6;
const CLIENTS = 6;
/** Requests per client and round if the process never dies (then the test fails). */
const MAX_REQUESTS = 150;
const BODIES = [
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

/** What each setting's start-up line says: PRAGMA synchronous, and the off-thread WAL flush. */
const STARTUP_LINE = {
  normal: { journalMode: 'wal', synchronous: 1, flush: 'off' },
  full: { journalMode: 'wal', synchronous: 2, flush: 'off' },
  durable: { journalMode: 'wal', synchronous: 1, flush: 'on' },
} as const;

function synchronousOf(output: string): {
  journalMode: string;
  synchronous: number;
  flush: string;
} {
  const match = SYNCHRONOUS_LINE.exec(output);
  expect(match, `no "sqlite:" start-up line in:\n${output}`).not.toBeNull();
  return { journalMode: match![1]!, synchronous: Number(match![2]), flush: match![3]! };
}

describe('D1: acknowledged writes are flushed to disk unless the operator says otherwise', () => {
  it('flushes the WAL inside COMMIT by default (full), before answering with durable, never with normal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'battery-sync-'));
    try {
      for (const setting of ['normal', 'full', 'durable'] as const) {
        const server = await startServerProcess(dir, { SQLITE_SYNCHRONOUS: setting });
        await server.stop();
        expect(synchronousOf(server.output()), setting).toEqual(STARTUP_LINE[setting]);
      }
      const byDefault = await startServerProcess(dir);
      await byDefault.stop();
      expect(synchronousOf(byDefault.output())).toEqual(STARTUP_LINE.full);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe(`D1: SIGKILL between COMMIT and the answer, ${ROUNDS} rounds alternating full (the default) and durable`, () => {
  it('keeps every committed charge, answered or not, and replays it on retry', async () => {
    const seed = newSeed();
    console.log(`D1 kill-point seed: ${seed}`);
    const random = prng(seed);
    const env = {
      VIDEO_RENDERER: 'noop',
      VIDEO_CONCURRENCY: '2',
      IDEMPOTENCY_MAX_KEYS_PER_USER: '100000',
      // Renders the kill interrupted are taken over once their lease ends: soon, here.
      VIDEO_LEASE_MS: '1000',
    };
    p = await startProcessWorld(env);
    const w = p;
    expect(synchronousOf(w.proc.output()).synchronous).toBe(2);
    const user = await w.signup();
    await w.grant(user.id, 1_000_000);
    const startBalance = await w.balance(user.id);

    /** key -> video id, for every request whose 202 reached the client. */
    const acked = new Map<string, string>();
    const send = (key: string, body: object) =>
      w.call('POST', '/api/video/generate', {
        token: user.token,
        body,
        headers: { 'Idempotency-Key': key },
      });
    const stats: string[] = [];

    for (let round = 1; round <= ROUNDS; round++) {
      const roundStarted = Date.now();
      // Whatever the previous server was doing is finished: nothing for start-up to recover.
      await w.proc.stop();
      const killAfter = 1 + Math.floor(random() * 5);
      const setting = round % 2 === 1 ? 'full' : 'durable';
      w.proc = await startServerProcess(w.dir, {
        ...env,
        ...(setting === 'durable' ? { SQLITE_SYNCHRONOUS: 'durable' } : {}),
        TEST_KILL_AFTER_LEDGER_COMMITS: String(killAfter),
      });
      expect(synchronousOf(w.proc.output())).toEqual(STARTUP_LINE[setting]);

      const unacked: Array<{ key: string; body: object }> = [];
      let sent = 0;
      let failed = false;
      const client = async (c: number) => {
        for (let n = 0; !failed && n < MAX_REQUESTS; n++) {
          const key = `d1-${round}-${c}-${n}`;
          const body = BODIES[(c + n) % BODIES.length]!;
          sent += 1;
          let res;
          try {
            res = await send(key, body);
          } catch {
            // No answer: committed or not, the client cannot tell and will retry.
            failed = true;
            unacked.push({ key, body });
            return;
          }
          expect(res.status, res.text).toBe(202);
          acked.set(key, GenerateVideoResponseSchema.parse(res.body).video.id);
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
      // The hook, not the request budget, ended the round: the process is gone.
      expect(failed, 'the server answered every request: the kill hook never fired').toBe(true);
      await w.proc.kill9();

      // Every answered charge is on disk, once.
      const byKey = new Map((await w.data.videosOf({ userId: user.id })).map((v) => [v.key, v]));
      for (const [key, id] of acked) expect(byKey.get(key)?.id, key).toBe(id);
      await w.assertInvariants();

      // A plain server (no hook): the client retries everything it got no answer for.
      w.proc = await startServerProcess(w.dir, env);
      let replayed = 0;
      for (const u of unacked) {
        const committed = byKey.get(u.key);
        const res = await send(u.key, u.body);
        expect(res.status, res.text).toBe(202);
        const id = GenerateVideoResponseSchema.parse(res.body).video.id;
        if (committed) {
          // Committed before the kill but never answered: the retry gets that same video.
          expect(res.headers.get('idempotent-replayed'), u.key).toBe('true');
          expect(id, u.key).toBe(committed.id);
          replayed += 1;
        } else {
          expect(res.headers.get('idempotent-replayed'), u.key).toBeNull();
        }
        acked.set(u.key, id);
      }
      // The group whose COMMIT triggered the kill was never answered, so at least one of
      // this round's unanswered requests was committed and had to be replayed.
      expect(replayed, `round ${round}: no committed-but-unanswered charge`).toBeGreaterThan(0);
      stats.push(
        `r${round} (${setting}): kill after ledger commit #${killAfter}, sent ${sent}, unanswered ${unacked.length}, replayed ${replayed}, ${Date.now() - roundStarted} ms`,
      );
      await until(
        'every video rendered',
        async () =>
          (await w.data.videosOf({ userId: user.id })).every((v) => v.status === 'completed'),
        30_000,
        50,
      );
    }
    console.log(`D1 rounds: ${stats.join('; ')}`);

    // One video and one charge per key that was ever sent, and nothing else.
    const videos = await w.data.videosOf({ userId: user.id });
    expect(videos.length).toBe(acked.size);
    expect(new Set(videos.map((v) => v.id))).toEqual(new Set(acked.values()));
    let spent = 0;
    for (const v of videos) {
      expect(acked.get(v.key!)).toBe(v.id);
      expect(await w.data.videoEntries({ videoId: v.id })).toEqual([
        { type: 'usage', amount: -v.cost },
      ]);
      spent += v.cost;
    }
    expect(await w.balance(user.id)).toBe(startBalance - spent);
    await w.assertInvariants();
    await w.proc.stop();
    const verify = await runLedgerVerify(w.dbFile);
    expect(verify.code, verify.output).toBe(0);
  }, 600_000);
});
