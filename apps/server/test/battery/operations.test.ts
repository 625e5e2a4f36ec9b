import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteAdapterInternals } from '../../src/store/sqlite/test-data.ts';
import { errorCode } from './support/client.ts';
import {
  startProcessWorld,
  startServerProcess,
  type ProcessWorld,
} from './support/server-process.ts';

/**
 * Operating the real server process: readiness, the loopback metrics port, and SIGTERM
 * (in-flight requests answered, idle keep-alive sockets closed, renders finished within the
 * grace period or left for the next start, exit 0).
 */

const worlds: ProcessWorld[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
});

async function world(env: Record<string, string> = {}) {
  const w = await startProcessWorld(env);
  worlds.push(w);
  return w;
}

/** Polls until `check` returns a value (bounded by the test's timeout, not asserted in time). */
async function until<T>(check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const refused = (baseUrl: string) =>
  fetch(`${baseUrl}/healthz`).then(
    () => false,
    () => true,
  );

/** The server's ffmpeg child, once a render has started it. */
function ffmpegChildOf(pid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
      if (m && m[1] === 'ffmpeg' && Number(m[2]) === pid) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

describe('readiness and the metrics port', () => {
  it('/readyz is 200, then 503 with the reason while another writer holds the database, then 200 again', async () => {
    const w = await world({ DB_BUSY_TIMEOUT_MS: '100' });
    expect((await w.call('GET', '/healthz')).status).toBe(200);
    const ready = await w.call('GET', '/readyz');
    expect(ready.status, ready.text).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });

    // Wait out the cached answer: the next probe must be a new write. Another writer holding
    // the SQLite file's write lock is what makes the database unwritable here.
    const { db } = sqliteAdapterInternals(w.store);
    db.exec('BEGIN IMMEDIATE');
    let blocked;
    try {
      blocked = await until(async () => {
        const r = await w.call('GET', '/readyz');
        return r.status === 503 ? r : undefined;
      });
    } finally {
      db.exec('COMMIT');
    }
    expect(errorCode(blocked)).toBe('SERVICE_UNAVAILABLE');
    const reasons = (blocked.body as { error: { details: { reasons: string[] } } }).error.details
      .reasons;
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^database is not writable/);
    // Liveness is not readiness: the process still answers.
    expect((await w.call('GET', '/healthz')).status).toBe(200);
    await until(async () => ((await w.call('GET', '/readyz')).status === 200 ? true : undefined));
  });

  it('/readyz is 503 when free disk space is below READY_MIN_FREE_BYTES; metrics only on loopback', async () => {
    const w = await world({ READY_MIN_FREE_BYTES: String(Number.MAX_SAFE_INTEGER) });
    const res = await w.call('GET', '/readyz');
    expect(res.status).toBe(503);
    const reasons = (res.body as { error: { details: { reasons: string[] } } }).error.details
      .reasons;
    expect(reasons).toEqual([expect.stringMatching(/^free disk space \d+ bytes is below \d+$/)]);

    // Without METRICS_TOKEN: a plain 404 on the public port, the series on 127.0.0.1.
    expect((await w.call('GET', '/metrics')).status).toBe(404);
    const line = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(w.proc.output());
    expect(line).not.toBeNull();
    const scraped = await fetch(line![1]!);
    expect(scraped.status).toBe(200);
    const text = await scraped.text();
    expect(text).toContain(
      'credits_app_http_requests_total{method="GET",route="/readyz",status="503"} 1',
    );
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect((await fetch(line![1]!.replace('/metrics', '/api/config'))).status).toBe(404);
  });
});

describe('SIGTERM', () => {
  it('answers a request in flight, closes idle keep-alive sockets, refuses new connections, exits 0', async () => {
    const w = await world();
    const user = await w.signup();
    const me = (await w.call('GET', '/api/auth/me', { token: user.token })).body as {
      user: { email: string };
    };

    // An idle keep-alive connection: it must be closed, not waited for.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const idleClosed = await new Promise<Promise<void>>((resolve, reject) => {
      const req = http.get(`${w.proc.baseUrl}/healthz`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          const socket = req.socket!;
          resolve(new Promise<void>((r) => socket.once('close', () => r())));
        });
      });
      req.on('error', reject);
    });

    // A login whose headers the server has read (it answered 100 Continue) but whose body
    // is still on its way when SIGTERM arrives: the request is in flight.
    const body = JSON.stringify({ email: me.user.email, password: 'correct horse battery' });
    const url = new URL(`${w.proc.baseUrl}/api/auth/login`);
    const login = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        Expect: '100-continue',
      },
    });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      login.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      login.on('error', reject);
    });
    await new Promise<void>((resolve) => login.once('continue', () => resolve()));

    process.kill(w.proc.pid, 'SIGTERM');
    await until(() => (w.proc.output().includes('shutting down') ? true : undefined));
    await until(async () => ((await refused(w.proc.baseUrl)) ? true : undefined));
    await idleClosed;

    login.end(body);
    const res = await answered;
    expect(res.status, res.text).toBe(200);
    expect((JSON.parse(res.text) as { token?: string }).token).toEqual(expect.any(String));
    expect(await w.proc.exited).toEqual({ code: 0, signal: null });
    agent.destroy();
  });
});

describe('SIGTERM during a render', () => {
  /** Starts a render and freezes its ffmpeg (SIGSTOP), so it cannot finish on its own. */
  async function frozenRender(w: ProcessWorld) {
    const user = await w.signup();
    await w.grant(user.id, 1000);
    const before = await w.balance(user.id);
    const res = await w.call('POST', '/api/video/generate', {
      token: user.token,
      body: { prompt: 'A long walk on the beach', durationMinutes: 10, resolution: '1080p' },
    });
    expect(res.status, res.text).toBe(202);
    const video = (res.body as { video: { id: string; creditsUsed: number } }).video;
    const ffmpeg = await until(() => ffmpegChildOf(w.proc.pid));
    process.kill(ffmpeg, 'SIGSTOP');
    return { user, video, ffmpeg, before };
  }

  const statusOf = async (w: ProcessWorld, id: string) => (await w.store.findVideo({ id }))?.status;

  it('a render still running gets the grace period to finish, then the process exits 0', async () => {
    const w = await world({ SHUTDOWN_GRACE_MS: '120000' });
    const { video, ffmpeg, user, before } = await frozenRender(w);
    process.kill(w.proc.pid, 'SIGTERM');
    await until(async () => ((await refused(w.proc.baseUrl)) ? true : undefined));
    expect(await statusOf(w, video.id)).toBe('processing');
    process.kill(ffmpeg, 'SIGCONT');
    expect(await w.proc.exited).toEqual({ code: 0, signal: null });
    expect(await statusOf(w, video.id)).toBe('completed');
    expect(await w.data.videoEntries({ videoId: video.id })).toEqual([
      { type: 'usage', amount: -video.creditsUsed },
    ]);
    expect(await w.balance(user.id)).toBe(before - video.creditsUsed);
    await w.assertInvariants();
  });

  it('a render past the grace period is queued again at once, rendered after restart, charged once', async () => {
    const w = await world({ SHUTDOWN_GRACE_MS: '300' });
    const { video, user, before } = await frozenRender(w);
    process.kill(w.proc.pid, 'SIGTERM');
    expect(await w.proc.exited).toEqual({ code: 0, signal: null });
    // The lease is given back, not left to expire: any instance can take the job now.
    expect(await statusOf(w, video.id)).toBe('queued');
    expect(await w.data.videoEntries({ videoId: video.id })).toEqual([
      { type: 'usage', amount: -video.creditsUsed },
    ]);

    w.proc = await startServerProcess(w.dir, { SHUTDOWN_GRACE_MS: '300' });
    await until(async () =>
      ['completed', 'failed'].includes((await statusOf(w, video.id))!) ? true : undefined,
    );
    expect(await statusOf(w, video.id)).toBe('completed');
    expect(await w.data.videoEntries({ videoId: video.id })).toEqual([
      { type: 'usage', amount: -video.creditsUsed },
    ]);
    expect(await w.balance(user.id)).toBe(before - video.creditsUsed);
    await w.assertInvariants();
  });
});
