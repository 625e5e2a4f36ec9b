import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/services/auth/passwords.ts';
import { openPgStore, type PgStore } from '../../src/store/pg/pg-store.ts';
import { pgTestData } from '../../src/store/pg/test-data.ts';
import { openDatabase } from '../../src/store/sqlite/open.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { sqliteTestData } from '../../src/store/sqlite/test-data.ts';
import { TEST_TABLES, type Row, type TestTable } from '../../src/store/test-data.ts';
import { call, sleep } from '../battery/support/client.ts';
import { serverDir, startServerProcess } from '../battery/support/server-process.ts';
import { staffUser } from '../admin/helpers.ts';
import { createHarness } from '../helpers/harness.ts';
import { pay, startPurchase } from '../helpers/payments.ts';
import { gatedRenderer } from '../helpers/renderers.ts';
import { generate, waitFor, waitForTerminal } from '../helpers/video.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

/**
 * `pnpm db:migrate-to-postgres`: a SQLite database built through the real app (signup,
 * checkout through the emulator and its webhooks, a partial refund, a completed and a failed
 * render, an idempotent request, mail, a console grant) is copied by the CLI, run as its own
 * process, into an empty PostgreSQL database; a server started on PostgreSQL carries on.
 */

const BODY = { prompt: 'Moving house', durationMinutes: 1, resolution: '720p' };
const KEY = 'migrate-replay-key-1';

interface Source {
  email: string;
  password: string;
  userId: string;
  replayVideoId: string;
}

let db: TestDatabase;
let dir: string;
let sqliteFile: string;
let source: Source;

function runCli(extraEnv: Record<string, string> = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/db-migrate-to-postgres.ts', sqliteFile],
      {
        cwd: serverDir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'test',
          DATA_DIR: dir,
          DATABASE_URL: db.appUrl,
          DATABASE_OWNER_URL: db.ownerUrl,
          // Only the CLI runs here: the in-process emulator refusal does not concern it.
          INSTANCE_COUNT: '1',
          LOG_LEVEL: 'warn',
          ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** Builds the source database through the real app, in a file that outlives the harness. */
async function buildSource(file: string): Promise<Source> {
  const gate = gatedRenderer();
  const h = await createHarness(
    { DATABASE_PATH: file },
    { renderer: gate.renderer, verifyOutput: false },
  );
  try {
    const admin = await staffUser(h, 'admin');
    const customer = await h.signup();
    const intent = await startPurchase(h, customer);
    await pay(h, intent.paymentIntentId);
    await h.emulator.control.waitForIdle();
    await h.stripe.refunds.create({ payment_intent: intent.paymentIntentId, amount: 750 });
    await h.emulator.control.waitForIdle();

    const first = await generate(h, customer, BODY, KEY);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const done = first.body.video.id as string;
    await waitFor(() => gate.isRendering(done));
    await gate.succeed(done);
    expect((await waitForTerminal(h, customer, done)).status).toBe('completed');

    const second = await generate(h, customer, { ...BODY, prompt: 'This one breaks' });
    const broken = second.body.video.id as string;
    await waitFor(() => gate.isRendering(broken));
    gate.fail(broken);
    expect(await waitForTerminal(h, customer, broken)).toMatchObject({
      status: 'failed',
      creditsRefunded: second.body.video.creditsUsed,
    });

    const grant = await h
      .http()
      .post(`/api/admin/customers/${customer.id}/grant`)
      .set(admin.auth)
      .send({ amount: 7, reason: 'goodwill', note: 'Before the move' });
    expect(grant.status, JSON.stringify(grant.body)).toBe(200);

    for (const table of [
      'mail_outbox',
      'admin_audit_log',
      'stripe_events',
      'idempotency_keys',
      'sessions',
    ] as const) {
      expect(await h.data.countRows({ table }), table).not.toBe(0);
    }
    const clawbacks = () =>
      h.data.countRows({ table: 'transactions', where: { type: 'clawback' } });
    for (let i = 0; (await clawbacks()) === 0 && i < 200; i++) await sleep(50);
    expect(await clawbacks()).toBe(1);
    await h.assertInvariants();
    return {
      email: customer.email,
      password: customer.password,
      userId: customer.id,
      replayVideoId: done,
    };
  } finally {
    await h.close();
  }
}

/** A table's rows in a fixed order whatever the database's collation. */
const sorted = (rows: Row[]) =>
  rows.map((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)))).sort();

async function sqliteRows(table: TestTable): Promise<Row[]> {
  const store = new SqliteStore(openDatabase(sqliteFile, { readonly: true }));
  try {
    return await sqliteTestData(store).rows({ table });
  } finally {
    await store.close();
  }
}

const pgCount = (store: PgStore, table: TestTable) => pgTestData(store).countRows({ table });

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'credit-migrate-'));
  sqliteFile = path.join(dir, 'credits.db');
  source = await buildSource(sqliteFile);
}, 120_000);

afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pnpm db:migrate-to-postgres', () => {
  it('refuses while a server runs on the SQLite database', async () => {
    // This test process is alive: to the CLI it is the server named by the pid file.
    const pidFile = path.join(dir, 'server.pid');
    writeFileSync(pidFile, String(process.pid));
    try {
      const run = await runCli();
      expect(run.code, run.output).toBe(1);
      expect(run.output).toContain(`a server (pid ${process.pid}) is running`);
    } finally {
      rmSync(pidFile);
    }
    const store = openPgStore({ connectionString: db.appUrl, max: 1 });
    try {
      expect(await pgCount(store, 'users')).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('copies every table as it is, verifies both sides, and PostgreSQL carries on', async () => {
    const run = await runCli();
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('ledger OK on SQLite');
    expect(run.output).toContain('ledger OK on PostgreSQL');
    expect(run.output).toContain('migration OK');

    const store = openPgStore({ connectionString: db.appUrl, max: 2 });
    try {
      // Row for row (the CLI itself compares the counts of every table it copies).
      const data = pgTestData(store);
      for (const table of TEST_TABLES) {
        expect(sorted(await data.rows({ table })), table).toEqual(sorted(await sqliteRows(table)));
      }
      expect(await store.verifyInvariants()).toEqual([]);
      const user = (await store.findUserByEmail({ email: source.email }))!;
      expect(await verifyPassword(source.password, user.passwordHash)).toBe(true);
      const balanceBefore = user.creditBalance;
      const newest = async (table: 'transactions' | 'mail_outbox', where = {}) =>
        (await data.rows({ table, where, orderBy: 'id', desc: true, limit: 1 }))[0]!.id as number;
      const lastEntry = await newest('transactions');
      const lastMail = await newest('mail_outbox');

      const pgDir = mkdtempSync(path.join(tmpdir(), 'credit-migrated-'));
      const server = await startServerProcess(
        pgDir,
        {
          DATABASE_URL: db.appUrl,
          DATABASE_OWNER_URL: db.ownerUrl,
          INSTANCE_COUNT: '1',
          VIDEO_RENDERER: 'noop',
        },
        60_000,
      );
      try {
        const login = await call(server.baseUrl, 'POST', '/api/auth/login', {
          body: { email: source.email, password: source.password },
        });
        expect(login.status, login.text).toBe(200);
        const token = (login.body as { token: string }).token;

        // The request made on SQLite replays its first answer: same video, no second charge.
        const replay = await call(server.baseUrl, 'POST', '/api/video/generate', {
          token,
          body: BODY,
          headers: { 'Idempotency-Key': KEY },
        });
        expect(replay.status, replay.text).toBe(202);
        expect((replay.body as { video: { id: string } }).video.id).toBe(source.replayVideoId);
        expect((await store.getBalance({ userId: source.userId }))!.creditBalance).toBe(
          balanceBefore,
        );

        // New writes take ids after the copied ones (identities advanced, no collision).
        const fresh = await call(server.baseUrl, 'POST', '/api/video/generate', {
          token,
          body: { ...BODY, prompt: 'First video on PostgreSQL' },
        });
        expect(fresh.status, fresh.text).toBe(202);
        const signup = await call(server.baseUrl, 'POST', '/api/auth/signup', {
          body: { email: 'after-move@example.com', password: 'correct horse battery', name: 'New' },
        });
        expect(signup.status, signup.text).toBe(201);
        // The first write on PostgreSQL takes the next ledger id; the signup's mail comes later.
        expect(await newest('transactions', { user_id: source.userId })).toBe(lastEntry + 1);
        expect(await newest('mail_outbox')).toBeGreaterThan(lastMail);
        expect((await store.getBalance({ userId: source.userId }))!.creditBalance).toBeLessThan(
          balanceBefore,
        );
        expect(await store.verifyInvariants()).toEqual([]);
      } finally {
        await server.stop();
        rmSync(pgDir, { recursive: true, force: true });
      }
    } finally {
      await store.close();
    }
  }, 120_000);

  it('refuses a second run into the now non-empty database, changing nothing', async () => {
    const store = openPgStore({ connectionString: db.appUrl, max: 1 });
    try {
      const before = await pgCount(store, 'transactions');
      const run = await runCli();
      expect(run.code, run.output).toBe(1);
      expect(run.output).toMatch(
        /refused: the PostgreSQL database already holds data \(users: \d+/,
      );
      expect(run.output).toContain('never merges');
      expect(await pgCount(store, 'transactions')).toBe(before);
    } finally {
      await store.close();
    }
  });
});
