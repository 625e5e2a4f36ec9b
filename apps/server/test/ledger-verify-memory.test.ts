import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { sqliteTestData } from '../src/store/sqlite/test-data.ts';

const run = promisify(execFile);
const cli = path.resolve(import.meta.dirname, '../src/cli/ledger-verify.ts');

const USERS = 20;
const ENTRIES_PER_USER = 10_000;
/**
 * A JavaScript heap this small holds the CLI, but not the 200,000 entries as row objects
 * (`.all()` of them needs about 45 MB and aborts here): the check must stream. Peak memory
 * over 10 M entries is measured by the bench, not here.
 */
const HEAP_MB = 32;

let dir: string;
let file: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ledger-verify-memory-'));
  file = path.join(dir, 'ledger.db');
  const store = openSqliteStore(file);
  for (let u = 0; u < USERS; u++) {
    const id = randomUUID();
    await store.createUser({
      id,
      email: `${id}@example.com`,
      name: 'Bulk',
      passwordHash: 'x',
      signupBonus: 10,
      now: new Date().toISOString(),
    });
    await sqliteTestData(store).appendLedgerEntries({
      userId: id,
      count: ENTRIES_PER_USER,
      start: new Date('2025-01-01T00:00:00Z'),
      stepMs: 1000,
    });
  }
  await store.close();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ledger:verify memory', () => {
  it(`checks ${USERS * ENTRIES_PER_USER} entries in a ${HEAP_MB} MB heap (no per-entry arrays)`, async () => {
    const { stdout } = await run(process.execPath, [
      `--max-old-space-size=${HEAP_MB}`,
      '--import',
      'tsx',
      cli,
      file,
    ]);
    expect(stdout).toMatch(/ledger OK/);
  }, 120_000);
});
