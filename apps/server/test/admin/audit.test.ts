import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteAdapterInternals } from '../../src/store/sqlite/test-data.ts';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { seedVideo } from '../helpers/ledger-ops.ts';
import { pay, startPurchase } from '../helpers/payments.ts';
import { gatedRenderer } from '../helpers/renderers.ts';
import { auditRows, NOTE, staffUser } from './helpers.ts';

/** The audit log (append-only, filtered), ledger:verify's I9, the reads, the CLI. */

const run = promisify(execFile);
const cliDir = path.resolve(import.meta.dirname, '../../src/cli');

const gate = gatedRenderer();
let h: Harness;
let support: TestUser;
let admin: TestUser;
let customer: TestUser;

beforeAll(async () => {
  h = await createHarness({}, { renderer: gate.renderer, verifyOutput: false });
  support = await staffUser(h, 'support');
  admin = await staffUser(h, 'admin');
  customer = await h.signup({ email: 'carol-customer@example.com' });
  for (const amount of [5, 6, 7]) {
    const res = await h
      .http()
      .post(`/api/admin/customers/${customer.id}/grant`)
      .set(support.auth)
      .send({ amount, reason: 'goodwill', note: `grant ${amount}` });
    expect(res.status).toBe(200);
  }
  await h
    .http()
    .post(`/api/admin/customers/${customer.id}/debit`)
    .set(admin.auth)
    .send({ amount: 3, reason: 'correction', note: NOTE });
});

afterAll(async () => {
  for (const id of [...gate.started]) if (gate.isRendering(id)) gate.fail(id, 'test over');
  await h.close();
});

async function cli(script: string, args: string[]) {
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(cliDir, script), ...args],
      {
        env: { ...process.env, DATA_DIR: h.dir, LOG_LEVEL: 'silent' },
      },
    );
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('the audit log', () => {
  // SQLite's own triggers; the contract suite checks both adapters through the server's role.
  it('is append-only in the database', async () => {
    const { db } = sqliteAdapterInternals(h.store);
    const [first] = await auditRows(h);
    expect(first).toBeDefined();
    expect(() =>
      db.prepare(`UPDATE admin_audit_log SET note = 'edited' WHERE id = ?`).run(first!.id),
    ).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM admin_audit_log WHERE id = ?').run(first!.id)).toThrow(
      /append-only/,
    );
    expect(() => db.prepare('DELETE FROM admin_audit_log').run()).toThrow(/append-only/);
    expect((await auditRows(h))[0]).toEqual(first);
  });

  it('filters by actor, customer, action and reason, newest first, in keyset pages', async () => {
    const get = async (query: string) => {
      const res = await h.http().get(`/api/admin/audit?${query}`).set(support.auth);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as {
        entries: { id: string; action: string; amount: number }[];
        nextBefore: string | null;
      };
    };
    const grants = await get(`action=grant_credits&targetUserId=${customer.id}`);
    expect(grants.entries.map((e) => e.amount)).toEqual([7, 6, 5]);
    const byAdmin = await get(`actorId=${admin.id}`);
    expect(byAdmin.entries.map((e) => e.action)).toEqual(['debit_credits']);
    expect((await get('reason=correction')).entries).toHaveLength(1);
    const page1 = await get(`targetUserId=${customer.id}&limit=2`);
    expect(page1.entries).toHaveLength(2);
    const page2 = await get(`targetUserId=${customer.id}&limit=2&before=${page1.nextBefore}`);
    expect(page2.entries.map((e) => e.amount)).toEqual([6, 5]);
    const today = new Date().toISOString().slice(0, 10);
    expect(
      (await get(`from=${today}&to=${today}&targetUserId=${customer.id}`)).entries,
    ).toHaveLength(4);
    expect((await get('from=2000-01-01&to=2000-01-02')).entries).toHaveLength(0);
    for (const bad of [
      'action=delete_everything',
      'limit=0',
      'limit=201',
      'from=yesterday',
      'foo=1',
    ]) {
      const res = await h.http().get(`/api/admin/audit?${bad}`).set(support.auth);
      expect(res.status, bad).toBe(400);
    }
  });
});

describe('ledger:verify (I9)', () => {
  it('passes while every console entry has its audit entry', async () => {
    expect(await h.store.verifyInvariants()).toEqual([]);
  });

  it('reports a console ledger entry without its audit entry', async () => {
    const other = await h.signup();
    // Written around the console: a ledger entry that claims to be an admin action.
    await h.data.grantCredits({
      userId: other.id,
      amount: 99,
      referenceType: 'admin',
      referenceId: 'not-an-audit-id',
      description: 'Credit from support (goodwill)',
    });
    const violations = await h.store.verifyInvariants();
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: 'I9 every console ledger entry has its audit entry',
        message: expect.stringContaining('not-an-audit-id'),
      }),
    ]);
    // The CLI reads the file on its own: everything committed goes into it first.
    sqliteAdapterInternals(h.store).db.pragma('wal_checkpoint(TRUNCATE)');
    const result = await cli('ledger-verify.ts', [h.config.databasePath]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/I9 every console ledger entry has its audit entry/);
  });
});

describe('customer pages', () => {
  it('finds a customer by email prefix, exact email or id', async () => {
    for (const q of ['carol-cust', 'carol-customer@example.com', 'CAROL-customer', customer.id]) {
      const res = await h.http().get('/api/admin/customers').query({ q }).set(support.auth);
      expect(res.status).toBe(200);
      expect(
        res.body.customers.map((c: { id: string }) => c.id),
        q,
      ).toEqual([customer.id]);
    }
    const none = await h
      .http()
      .get('/api/admin/customers')
      .query({ q: 'nobody-here' })
      .set(support.auth);
    expect(none.body.customers).toEqual([]);
    expect((await h.http().get('/api/admin/customers').set(support.auth)).status).toBe(400);
  });

  it('shows balance, owed credits, sessions, email status, ledger, payments and videos', async () => {
    const intent = await startPurchase(h, customer, 1);
    await pay(h, intent.paymentIntentId);
    await h.emulator.control.waitForIdle();
    const videoId = await seedVideo(h, customer.id, 1);
    const failed = await h
      .http()
      .post(`/api/admin/videos/${videoId}/fail`)
      .set(admin.auth)
      .send({ note: 'Stuck' });
    expect(failed.status).toBe(200);
    const page = await h.http().get(`/api/admin/customers/${customer.id}`).set(support.auth);
    expect(page.status).toBe(200);
    expect(page.body.customer).toMatchObject({
      id: customer.id,
      email: customer.email,
      role: 'user',
      owedCredits: 0,
      emailVerified: false,
      disabledAt: null,
    });
    expect(page.body.customer).not.toHaveProperty('passwordHash');
    expect(page.body.sessions).toEqual([
      expect.objectContaining({ active: true, revokedAt: null }),
    ]);
    expect(JSON.stringify(page.body)).not.toContain(customer.token);

    const ledger = await h
      .http()
      .get(`/api/admin/customers/${customer.id}/transactions?type=adjustment`)
      .set(support.auth);
    expect(ledger.body.transactions.map((t: { amount: number }) => t.amount)).toEqual([
      -3, 7, 6, 5,
    ]);
    const payments = await h
      .http()
      .get(`/api/admin/customers/${customer.id}/payments`)
      .set(support.auth);
    expect(payments.body.payments.map((p: { id: string }) => p.id)).toEqual([intent.paymentId]);
    const videos = await h
      .http()
      .get(`/api/admin/customers/${customer.id}/videos`)
      .set(support.auth);
    expect(videos.body.videos).toEqual([
      expect.objectContaining({ status: 'failed', fileUrl: null }),
    ]);

    const csv = await h
      .http()
      .get(`/api/admin/customers/${customer.id}/transactions.csv?type=adjustment`)
      .set(support.auth);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toContain(`customer-${customer.id}-`);
    expect(csv.text.trim().split('\n')).toHaveLength(5);

    for (const path of ['', '/transactions', '/payments', '/videos', '/transactions.csv']) {
      const res = await h.http().get(`/api/admin/customers/no-such-id${path}`).set(support.auth);
      expect(res.status, path).toBe(404);
    }
  });

  it('the overview counts sales, spend, payments and the queue per day', async () => {
    const res = await h.http().get('/api/admin/overview?days=7').set(support.auth);
    expect(res.status).toBe(200);
    expect(res.body.days).toHaveLength(7);
    const today = res.body.days[6];
    expect(today.day).toBe(new Date().toISOString().slice(0, 10));
    expect(today).toMatchObject({ paymentsSucceeded: 1, failedRenders: 1 });
    expect(today.creditsSold).toBeGreaterThan(0);
    expect(today.revenueCents).toBeGreaterThan(0);
    expect(today.creditsSpent).toBeGreaterThan(0);
    expect(res.body.totals).toMatchObject({ paymentSuccessRate: 1, refundRate: 0 });
    expect(res.body.queue).toEqual({ queued: 0, processing: 0 });
    expect((await h.http().get('/api/admin/overview?days=91').set(support.auth)).status).toBe(400);
  });
});

describe('pnpm admin:create / admin:demote', () => {
  it('promotes an existing account, audits it, and refuses an unknown one', async () => {
    const dave = await h.signup({ email: 'dave-ops@example.com' });
    expect((await h.http().get('/api/admin/me').set(dave.auth)).status).toBe(404);
    const created = await cli('admin-role.ts', ['Dave-Ops@example.com']);
    expect(created.code, created.out).toBe(0);
    expect(created.out).toMatch(/user -> admin/);
    expect((await h.http().get('/api/admin/me').set(dave.auth)).body.role).toBe('admin');
    const audit = (await auditRows(h)).find(
      (r) => r.action === 'role_changed' && r.target_user_id === dave.id,
    );
    expect(audit).toMatchObject({ actor_id: null, actor_role: 'cli' });

    const demoted = await cli('admin-role.ts', ['--role', 'user', 'dave-ops@example.com']);
    expect(demoted.code).toBe(0);
    expect((await h.http().get('/api/admin/me').set(dave.auth)).status).toBe(404);

    const unknown = await cli('admin-role.ts', ['nobody@example.com']);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/No account/);
    expect((await cli('admin-role.ts', ['x@example.com', '--role', 'root'])).code).toBe(2);
  });
});
