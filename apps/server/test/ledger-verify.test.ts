import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteAdapterInternals } from '../src/store/sqlite/test-data.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { seedVideo } from './helpers/ledger-ops.ts';

const run = promisify(execFile);
const cli = path.resolve(import.meta.dirname, '../src/cli/ledger-verify.ts');

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  const user = await h.signup();
  await seedVideo(h, user.id, 1, 'failed');
});
afterAll(async () => h.close());

async function verify(file: string) {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', cli, file]);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('pnpm ledger:verify', () => {
  it('passes a healthy database', async () => {
    const result = await verify(h.config.databasePath);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/ledger OK/);
  });

  it('fails with a readable report when the cached balance drifts', async () => {
    // A drift no store operation can make: written into the SQLite file the CLI reads.
    const { db } = sqliteAdapterInternals(h.store);
    db.prepare('UPDATE users SET credit_balance = credit_balance + 7').run();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const result = await verify(h.config.databasePath);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/I1 cached balance equals ledger sum/);
    // The fixture user holds 10 (bonus, then a failed video charged and refunded).
    expect(result.out).toMatch(/user .+: cached 17, ledger sum 10/);
  });
});
