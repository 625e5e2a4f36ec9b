import net from 'node:net';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call } from './support/client.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';

/**
 * G / X1, X2 against the real process: a slowloris from one address while the server is short
 * of file descriptors, the access log under hostile URLs, and the data directory's modes.
 */

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'battery-exhaust-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function signup(baseUrl: string) {
  const res = await call(baseUrl, 'POST', '/api/auth/signup', {
    body: {
      email: `x-${Date.now()}-${Math.random()}@example.com`,
      password: 'correct horse battery',
      name: 'X',
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { token: string; user: { id: string } };
}

/**
 * Keeps up to `inFlight` half-sent requests open from `localAddress`, replacing each one the
 * server closes, until `attempts` sockets have been tried or `stop()` is called.
 */
function slowloris(options: {
  port: number;
  localAddress: string;
  attempts: number;
  inFlight: number;
}) {
  let started = 0;
  let stopped = false;
  const sockets = new Set<net.Socket>();
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const next = (): void => {
    if (stopped || started >= options.attempts) {
      if (sockets.size === 0) finish();
      return;
    }
    started += 1;
    const socket = net.connect({
      host: '127.0.0.1',
      port: options.port,
      localAddress: options.localAddress,
    });
    sockets.add(socket);
    socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      setImmediate(next);
    });
  };
  for (let i = 0; i < options.inFlight; i += 1) next();
  return {
    done,
    attempted: () => started,
    stop() {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
  };
}

describe('X1: 20,000 half-sent connections from one address, server short of descriptors', () => {
  let proc: ServerProcess;
  afterAll(() => proc?.stop());

  it('healthz and an authenticated balance keep answering; the process never exits', async () => {
    proc = await startServerProcess(
      freshDir(),
      { VIDEO_RENDERER: 'noop', MAX_CONNECTIONS_PER_IP: '64' },
      30_000,
      1024,
    );
    const { token } = await signup(proc.baseUrl);
    const port = Number(new URL(proc.baseUrl).port);
    // 1,500 held at once would use up all 1,024 descriptors of an unprotected server.
    const attack = slowloris({ port, localAddress: '127.0.0.2', attempts: 20_000, inFlight: 1500 });
    const answers: number[] = [];
    try {
      // At least three rounds of probes while the attack holds its connections: on a busy
      // machine the 20,000 attempts can all start within the first round.
      while (attack.attempted() < 20_000 || answers.length < 6) {
        const health = await call(proc.baseUrl, 'GET', '/healthz', {
          signal: AbortSignal.timeout(5000),
        });
        const balance = await call(proc.baseUrl, 'GET', '/api/credits/balance', {
          token,
          signal: AbortSignal.timeout(5000),
        });
        answers.push(health.status, balance.status);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      attack.stop();
    }
    await attack.done;
    expect(answers.length).toBeGreaterThan(2);
    expect(new Set(answers)).toEqual(new Set([200]));
    expect((await call(proc.baseUrl, 'GET', '/healthz')).status).toBe(200);
    expect(proc.output()).not.toMatch(/EMFILE|uncaught/i);
  });
});

describe('X2: the access log under hostile URLs', () => {
  let proc: ServerProcess;
  afterAll(() => proc?.stop());

  it('never logs a query secret, cuts long URLs, and budgets 4xx lines per source', async () => {
    proc = await startServerProcess(freshDir(), {
      LOG_LEVEL: 'info',
      LOG_CLIENT_ERRORS_PER_IP_PER_MINUTE: '20',
    });
    const secret = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWZpbGUtdG9rZW4.c2lnbmF0dXJl';
    const leaky = await call(
      proc.baseUrl,
      'GET',
      `/api/video/abc/file?x=token=1&token=${secret}&client_secret=pi_1_secret_zzz`,
    );
    expect(leaky.status).toBe(401);
    const long = await call(proc.baseUrl, 'GET', `/api/nope?pad=${'a'.repeat(16_000)}`);
    expect(long.status).toBe(404);
    for (let i = 0; i < 300; i += 1) {
      expect((await call(proc.baseUrl, 'GET', `/api/nope-${i}`)).status).toBe(404);
    }
    // Give the log stream a moment to flush its last lines.
    await new Promise((r) => setTimeout(r, 300));
    const lines = proc
      .output()
      .split('\n')
      .filter((l) => l.includes('"statusCode":4'));
    expect(proc.output()).not.toContain(secret);
    expect(proc.output()).not.toContain('pi_1_secret_zzz');
    expect(proc.output()).toContain('token=[redacted]');
    expect(lines.length).toBeLessThanOrEqual(20);
    for (const line of lines) expect(line.length).toBeLessThan(2000);
  });
});

describe('hardening: the data directory is private to the server', () => {
  let proc: ServerProcess;
  afterAll(() => proc?.stop());

  it('creates the directory 0700 (tightening an existing one) and every file 0600', async () => {
    const dataDir = path.join(freshDir(), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    proc = await startServerProcess(dataDir, { VIDEO_RENDERER: 'noop' });
    const { token } = await signup(proc.baseUrl);
    const res = await call(proc.baseUrl, 'POST', '/api/video/generate', {
      token,
      body: { prompt: 'modes', durationMinutes: 1, resolution: '720p' },
    });
    expect(res.status).toBe(202);
    const videoId = (res.body as { video: { id: string } }).video.id;
    await expect
      .poll(
        async () =>
          (
            (await call(proc.baseUrl, 'GET', `/api/video/${videoId}`, { token })).body as {
              video: { status: string };
            }
          ).video.status,
        { timeout: 15_000 },
      )
      .toBe('completed');

    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(dataDir)).toBe(0o700);
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? [path.join(dir, e.name), ...walk(path.join(dir, e.name))]
          : [path.join(dir, e.name)],
      );
    const entries = walk(dataDir);
    expect(entries.some((p) => p.endsWith('credits.db'))).toBe(true);
    expect(entries.some((p) => p.endsWith('jwt-secret'))).toBe(true);
    expect(entries.some((p) => p.endsWith('.mp4'))).toBe(true);
    for (const entry of entries) {
      const expected = statSync(entry).isDirectory() ? 0o700 : 0o600;
      expect(mode(entry).toString(8), entry).toBe(expected.toString(8));
    }
  });
});
