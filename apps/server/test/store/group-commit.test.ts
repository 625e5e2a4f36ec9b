import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { translateDriverError } from '../../src/store/sqlite/errors.ts';
import { GroupCommit } from '../../src/store/sqlite/group-commit.ts';
import { openDatabase, type Db } from '../../src/store/sqlite/open.ts';

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
