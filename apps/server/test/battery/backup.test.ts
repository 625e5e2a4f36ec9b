import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite/open.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { sqliteTestData } from '../../src/store/sqlite/test-data.ts';
import { serverDir, startProcessWorld, type ProcessWorld } from './support/server-process.ts';

/**
 * I / D2: online backups while the server takes writes, verified before they count, restored
 * into a stopped data directory; scheduled backups and their retention.
 */

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'battery-backup-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function runCli(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `src/cli/${script}`, ...args], {
      cwd: serverDir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

interface Acknowledged {
  userId: string;
  videoId: string;
  at: number;
}

/** Clients that sign up and generate in a loop, recording when each write was acknowledged. */
function mixedLoad(world: ProcessWorld, clients: number) {
  const acked: Acknowledged[] = [];
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const user = await world.signup();
      for (let i = 0; i < 2 && !stopped; i += 1) {
        const res = await world.call('POST', '/api/video/generate', {
          token: user.token,
          body: { prompt: `load ${i}`, durationMinutes: 1, resolution: '720p' },
        });
        if (res.status !== 202) continue;
        acked.push({
          userId: user.id,
          videoId: (res.body as { video: { id: string } }).video.id,
          at: Date.now(),
        });
      }
    }
  };
  const running = Promise.all(Array.from({ length: clients }, loop));
  return {
    acked,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

describe('D2: online backup under a mixed write load, then restore', () => {
  let world: ProcessWorld;
  afterAll(() => world?.close());

  it('the restored database holds every write acknowledged before the backup began, and its invariants', async () => {
    world = await startProcessWorld({ VIDEO_RENDERER: 'noop' });
    const load = mixedLoad(world, 6);
    await expect.poll(() => load.acked.length, { timeout: 20_000 }).toBeGreaterThan(30);
    const backupFile = path.join(freshDir(), 'snapshot.db');
    const backupBegan = Date.now();
    const backup = await runCli('db-backup.ts', [backupFile], { DATA_DIR: world.dir });
    const ackedDuringBackup = load.acked.filter((a) => a.at > backupBegan).length;
    await load.stop();
    expect(backup.code, backup.output).toBe(0);
    expect(backup.output).toContain('verified');
    // The load really ran while the copy was being made.
    expect(ackedDuringBackup).toBeGreaterThan(0);

    // A running server's data directory is never overwritten.
    const refused = await runCli('db-restore.ts', [backupFile], { DATA_DIR: world.dir });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/stop it first/);

    const restoreDir = freshDir();
    const restore = await runCli('db-restore.ts', [backupFile], { DATA_DIR: restoreDir });
    expect(restore.code, restore.output).toBe(0);
    const restored = new SqliteStore(openDatabase(path.join(restoreDir, 'credits.db')));
    try {
      expect(await restored.verifyInvariants()).toEqual([]);
      const before = load.acked.filter((a) => a.at <= backupBegan);
      expect(before.length).toBeGreaterThan(30);
      const data = sqliteTestData(restored);
      for (const a of before) {
        expect(
          await data.countRows({ table: 'video_generations', where: { id: a.videoId } }),
          a.videoId,
        ).toBe(1);
        expect(
          await data.countRows({
            table: 'transactions',
            where: { user_id: a.userId, reference_id: a.videoId, type: 'usage' },
          }),
          a.videoId,
        ).toBe(1);
      }
    } finally {
      await restored.close();
    }
  });
});

describe('backups that cannot be trusted are never used', () => {
  it('a corrupt file is refused by restore and leaves the current database alone', async () => {
    const dataDir = freshDir();
    const garbage = path.join(freshDir(), 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(8192, 7));
    writeFileSync(path.join(dataDir, 'credits.db'), 'current');
    const res = await runCli('db-restore.ts', [garbage], { DATA_DIR: dataDir });
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/REFUSED/);
    expect(readdirSync(dataDir).filter((n) => n.includes('before-restore'))).toEqual([]);
  });
});

describe('scheduled backups and retention', () => {
  let world: ProcessWorld;
  afterAll(() => world?.close());

  it('the server takes verified backups on its own and keeps only the newest BACKUP_RETENTION', async () => {
    const backupDir = path.join(freshDir(), 'backups');
    world = await startProcessWorld({
      VIDEO_RENDERER: 'noop',
      BACKUP_DIR: backupDir,
      BACKUP_INTERVAL_MINUTES: '0.01',
      BACKUP_RETENTION: '2',
    });
    await world.signup();
    const backups = () =>
      existsSync(backupDir) ? readdirSync(backupDir).filter((n) => n.endsWith('.db')) : [];
    await expect.poll(() => backups().length, { timeout: 30_000, interval: 200 }).toBe(2);
    // Give it time for more runs: retention keeps it at two.
    const first = backups()[0];
    await expect.poll(() => backups()[0] !== first, { timeout: 30_000, interval: 200 }).toBe(true);
    // A backup is almost always in progress at this interval; once the server has stopped,
    // nothing half-written may be left and retention must hold.
    await world.proc.stop();
    expect(backups().length).toBeLessThanOrEqual(2);
    expect(readdirSync(backupDir).filter((n) => n.endsWith('.partial'))).toHaveLength(0);

    const manual = await runCli('db-backup.ts', [], {
      DATA_DIR: world.dir,
      BACKUP_DIR: backupDir,
      BACKUP_RETENTION: '1',
    });
    expect(manual.code, manual.output).toBe(0);
    expect(manual.output).toMatch(/deleted old backup/);
  });
});
