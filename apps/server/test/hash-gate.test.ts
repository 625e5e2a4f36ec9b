import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { HashGate } from '../src/services/auth/hash-gate.ts';

/** The semaphore in front of bcrypt, driven by hand so every count is exact. */

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const limits = {
  maxConcurrent: 2,
  maxConcurrentPerIp: 1,
  queueMax: 3,
  queueMaxPerIp: 2,
  perIpDisabled: false,
};

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) =>
      err instanceof AppError ? `${err.code} ${err.headers?.['Retry-After']}` : 'other',
  );

describe('HashGate', () => {
  it('runs at most the total and per-address caps, queues a bounded number, refuses the rest', async () => {
    const gate = new HashGate(limits);
    const work = deferred();
    const a = [0, 1, 2, 3].map(() => gate.run('a', () => work.promise));
    // a: one running, two waiting, the fourth refused for its address (429).
    expect(gate.stats()).toEqual({ running: 1, waiting: 2 });
    expect(await codeOf(a[3]!)).toBe('RATE_LIMITED 1');
    const b = gate.run('b', () => work.promise);
    expect(gate.stats()).toEqual({ running: 2, waiting: 2 });
    const c = [gate.run('c', () => work.promise), gate.run('c', () => work.promise)];
    // The whole queue (3) is full: a fourth waiter from anyone gets 503.
    expect(gate.stats()).toEqual({ running: 2, waiting: 3 });
    expect(await codeOf(c[1]!)).toBe('SERVICE_UNAVAILABLE 1');
    work.resolve();
    expect(await Promise.all([...a.slice(0, 3), b, c[0]!].map(codeOf))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('a freed slot goes to the oldest waiter whose address is under its cap', async () => {
    const gate = new HashGate({ ...limits, maxConcurrent: 2 });
    const order: string[] = [];
    const first = deferred();
    const running = gate.run('a', () => first.promise);
    const other = deferred();
    const b = gate.run('b', () => other.promise);
    const a2 = gate.run('a', async () => void order.push('a2'));
    const c = gate.run('c', async () => void order.push('c'));
    // b finishes: a is still at its cap, so c (queued later) starts before a2.
    other.resolve();
    await b;
    await c;
    expect(order).toEqual(['c']);
    first.resolve();
    await running;
    await a2;
    expect(order).toEqual(['c', 'a2']);
  });

  it('with per-address caps disabled (benchmarks), only the total cap and queue apply', async () => {
    const gate = new HashGate({ ...limits, perIpDisabled: true });
    const work = deferred();
    const runs = [0, 1, 2, 3, 4].map(() => gate.run('a', () => work.promise));
    expect(gate.stats()).toEqual({ running: 2, waiting: 3 });
    const over = gate.run('a', () => work.promise);
    expect(await codeOf(over)).toBe('SERVICE_UNAVAILABLE 1');
    work.resolve();
    await Promise.all(runs);
  });
});
