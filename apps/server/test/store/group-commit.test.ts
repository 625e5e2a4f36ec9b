import Database from 'better-sqlite3';
import { fdatasync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { translateDriverError } from '../../src/store/sqlite/errors.ts';
import { GroupCommit } from '../../src/store/sqlite/group-commit.ts';
import { openDatabase, type Db } from '../../src/store/sqlite/open.ts';
import { walSyncFor, type WalSync } from '../../src/store/sqlite/wal-sync.ts';
import { waitFor } from '../helpers/video.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'credit-group-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let db: Db;
let reader: Db;
let writes: GroupCommit;
let file: string;

beforeEach(() => {
  file = path.join(dir, `${Math.random().toString(36).slice(2)}.db`);
  db = openDatabase(file);
  db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE, blob TEXT)');
  reader = new Database(file, { readonly: true });
  writes = new GroupCommit(db, translateDriverError);
});
afterEach(() => {
  vi.useRealTimers();
  reader.close();
  db.close();
});

const insert = (label: string, blob = '') =>
  writes.run(() => db.prepare('INSERT INTO items (label, blob) VALUES (?, ?)').run(label, blob));
const committedLabels = () =>
  reader.prepare('SELECT label FROM items ORDER BY id').pluck().all() as string[];

describe('group commit', () => {
  it('commits the writes of one event-loop turn together, and acknowledges each only once it is committed', async () => {
    const seenByAnotherConnection: boolean[] = [];
    const done = Array.from({ length: 50 }, (_, i) =>
      insert(`item-${i}`).then(() => {
        seenByAnotherConnection.push(committedLabels().includes(`item-${i}`));
      }),
    );
    // Nothing runs before the turn ends: the group is still being collected.
    expect(committedLabels()).toEqual([]);
    await Promise.all(done);
    expect(seenByAnotherConnection).toEqual(Array(50).fill(true));
    expect(committedLabels()).toHaveLength(50);
  });

  it('keeps each member atomic: a failing one rolls back only its own writes', async () => {
    const results = await Promise.allSettled([
      insert('a'),
      writes.run(() => {
        db.prepare("INSERT INTO items (label) VALUES ('half-done')").run();
        db.prepare("INSERT INTO items (label) VALUES ('a')").run(); // UNIQUE violation
      }),
      insert('b'),
      writes.run(() => {
        throw new Error('a rule refused it');
      }),
      insert('c'),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({
      message: 'a rule refused it',
    });
    expect(committedLabels()).toEqual(['a', 'b', 'c']);
  });

  it('fails every member, and writes none, when SQLite abandons the whole transaction', async () => {
    await insert('before');
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    const results = await Promise.allSettled([
      insert('small'),
      insert('huge', 'x'.repeat(200_000)), // needs far more pages than are left: SQLITE_FULL
      insert('after'),
    ]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    for (const r of results) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'STORAGE_FULL' });
    }
    expect(committedLabels()).toEqual(['before']);
    expect(db.inTransaction).toBe(false);

    db.pragma('max_page_count = 1073741823');
    await insert('recovered');
    expect(committedLabels()).toEqual(['before', 'recovered']);
  });

  it('reports a database locked by another process as a retryable outage for the whole group', async () => {
    db.pragma('busy_timeout = 50');
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const results = await Promise.allSettled([insert('x'), insert('y')]);
      for (const r of results) {
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      }
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await insert('z');
    expect(committedLabels()).toEqual(['z']);
  });

  it('still commits while a test has faked the timers', async () => {
    vi.useFakeTimers();
    await insert('under fake timers');
    expect(committedLabels()).toEqual(['under fake timers']);
  });

  it('joins an open transaction as a savepoint instead of failing to BEGIN', async () => {
    db.exec('BEGIN');
    const pending = insert('inside');
    writes.flush();
    await pending;
    db.exec('ROLLBACK');
    expect(committedLabels()).toEqual([]);
  });
});

/**
 * SQLITE_SYNCHRONOUS=durable: COMMIT under synchronous=NORMAL, then the real fdatasync of the WAL
 * on libuv's pool, behind a gate the test opens, so what happens before the disk answers can
 * be observed.
 */
describe('group commit with the WAL flushed before acknowledging', () => {
  let flushes: { requested: number; started: number };
  let gate: { open: () => void; wait: Promise<void> };
  const newGate = () => {
    let open!: () => void;
    const wait = new Promise<void>((resolve) => (open = resolve));
    return { open, wait };
  };

  function gatedFlush(fail?: NodeJS.ErrnoException): WalSync {
    const real = walSyncFor(file);
    return (done) => {
      flushes.requested += 1;
      void gate.wait.then(() => {
        flushes.started += 1;
        if (fail) done(fail);
        else real(done);
      });
    };
  }

  /** The real flusher, whose first fdatasync (a slow disk) waits for the gate; counts them. */
  function flusherHoldingTheFirst() {
    const counted = { fdatasyncs: 0 };
    const flusher = walSyncFor(file, (fd, done) => {
      counted.fdatasyncs += 1;
      const go = () => fdatasync(fd, done);
      if (counted.fdatasyncs === 1) void gate.wait.then(go);
      else go();
    });
    return { flusher, counted };
  }

  beforeEach(() => {
    flushes = { requested: 0, started: 0 };
    gate = newGate();
    db.pragma('synchronous = NORMAL');
  });

  it('acknowledges nothing until the flush returns, while the commit is already visible', async () => {
    writes = new GroupCommit(db, translateDriverError, { syncWal: gatedFlush() });
    let acknowledged = false;
    const pending = insert('durable').then(() => (acknowledged = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(committedLabels()).toEqual(['durable']);
    expect(acknowledged).toBe(false);
    expect(flushes.requested).toBe(1);
    gate.open();
    await pending;
    expect(acknowledged).toBe(true);
  });

  it('gathers the writes that arrive during a flush and commits them as one group after it', async () => {
    const { flusher, counted } = flusherHoldingTheFirst();
    const commits: number[] = [];
    writes = new GroupCommit(db, translateDriverError, {
      syncWal: flusher,
      afterCommit: () => commits.push(committedLabels().length),
    });
    const acknowledged: string[] = [];
    const insertTracked = (label: string) => insert(label).then(() => acknowledged.push(label));
    const first = insertTracked('g0');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later: Promise<unknown>[] = [];
    for (let i = 1; i <= 5; i += 1) {
      later.push(insertTracked(`g${i}`));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The event loop kept taking writes, but none committed while the disk was busy...
    expect(committedLabels()).toEqual(['g0']);
    expect(acknowledged).toEqual([]);
    gate.open();
    await Promise.all([first, ...later]);
    // ...then the five committed together: two COMMITs and two fdatasyncs for six writes.
    expect(commits).toEqual([1, 6]);
    expect(counted.fdatasyncs).toBe(2);
    expect(acknowledged).toEqual(['g0', 'g1', 'g2', 'g3', 'g4', 'g5']);
    flusher.close();
  });

  it('coalesces flushes requested while one runs into a single fdatasync', async () => {
    const { flusher, counted } = flusherHoldingTheFirst();
    const results: Array<Error | null> = [];
    await insert('on disk');
    // Three callers (say, another connection's commits) ask while the first flush is held.
    for (let i = 0; i < 4; i += 1) flusher((error) => results.push(error));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(results).toEqual([]);
    gate.open();
    await waitFor(() => results.length === 4);
    expect(results).toEqual([null, null, null, null]);
    expect(counted.fdatasyncs).toBe(2);
    flusher.close();
  });

  it('rejects the group when the flush fails, and refuses every later write until a restart', async () => {
    const failure = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const told: Error[] = [];
    writes = new GroupCommit(db, translateDriverError, {
      syncWal: gatedFlush(failure),
      onSyncFailure: (error) => told.push(error),
    });
    const pending = Promise.allSettled([insert('lost-1'), insert('lost-2')]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Arrives while the failing flush runs: gathered for the next group, which never commits.
    const waiting = insert('gathered');
    gate.open();
    const results = await pending;
    await expect(waiting).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(committedLabels()).not.toContain('gathered');
    for (const r of results) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    }
    expect(told).toEqual([failure]);
    await expect(insert('after')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(committedLabels()).not.toContain('after');
  });

  it('maps a full disk during the flush to 507', async () => {
    const failure = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
    writes = new GroupCommit(db, translateDriverError, { syncWal: gatedFlush(failure) });
    const pending = insert('x');
    gate.open();
    await expect(pending).rejects.toMatchObject({ code: 'STORAGE_FULL' });
  });

  it('drain() waits for the flush in flight, so closing never drops an acknowledgement', async () => {
    writes = new GroupCommit(db, translateDriverError, { syncWal: gatedFlush() });
    let acknowledged = false;
    const pending = insert('last').then(() => (acknowledged = true));
    let drained = false;
    const draining = writes.drain().then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(drained).toBe(false);
    gate.open();
    await draining;
    await pending;
    expect(acknowledged).toBe(true);
  });
});
