import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { sqliteAdapterInternals } from '../../src/store/sqlite/test-data.ts';
import { auditRows, balance, NOTE, snapshot, staffUser } from './helpers.ts';

/** Grants, correction debits and four-eyes approvals, each with its audit entry. */

let h: Harness;
let support: TestUser;
let admin: TestUser;
let admin2: TestUser;

beforeAll(async () => {
  h = await createHarness({
    ADMIN_APPROVAL_THRESHOLD_CREDITS: '200',
    SUPPORT_GRANT_LIMIT_CREDITS: '50',
  });
  support = await staffUser(h, 'support');
  admin = await staffUser(h, 'admin');
  admin2 = await staffUser(h, 'admin');
});

afterAll(async () => {
  await h.assertInvariants();
  await h.close();
});

const post = (staff: TestUser, path: string, body: object, requestId?: string) => {
  const req = h.http().post(path).set(staff.auth);
  if (requestId) req.set('X-Request-Id', requestId);
  return req.send(body);
};

describe('grant credits', () => {
  it('applies the grant and its audit entry together', async () => {
    const customer = await h.signup();
    const res = await post(
      admin,
      `/api/admin/customers/${customer.id}/grant`,
      { amount: 40, reason: 'goodwill', note: NOTE },
      'req-grant-0001',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'applied', balance: 50, approval: null });
    const [audit] = res.body.audit;
    expect(audit).toMatchObject({
      actorId: admin.id,
      actorEmail: admin.email,
      actorRole: 'admin',
      action: 'grant_credits',
      targetUserId: customer.id,
      reason: 'goodwill',
      note: NOTE,
      requestId: 'req-grant-0001',
      amount: 40,
      balanceBefore: 10,
      balanceAfter: 50,
    });
    // The ledger entry names its audit row, and the customer sees it in their history.
    const [entry] = await h.data.rows({
      table: 'transactions',
      where: { id: audit.ledgerEntryId as number },
    });
    expect(entry).toMatchObject({
      user_id: customer.id,
      type: 'adjustment',
      amount: 40,
      reference_type: 'admin',
      reference_id: audit.id,
    });
    const history = await h.http().get('/api/credits/transactions').set(customer.auth);
    expect(history.body.transactions[0]).toMatchObject({ type: 'adjustment', amount: 40 });
    expect(await balance(h, customer.id)).toBe(50);
  });

  it('lets support grant goodwill up to the limit, nothing else', async () => {
    const customer = await h.signup();
    const ok = await post(support, `/api/admin/customers/${customer.id}/grant`, {
      amount: 50,
      reason: 'goodwill',
      note: NOTE,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.audit[0]).toMatchObject({ actorRole: 'support', amount: 50 });

    const before = await snapshot(h);
    const refused = [
      post(support, `/api/admin/customers/${customer.id}/grant`, {
        amount: 51,
        reason: 'goodwill',
        note: NOTE,
      }),
      post(support, `/api/admin/customers/${customer.id}/grant`, {
        amount: 5,
        reason: 'correction',
        note: NOTE,
      }),
      post(support, `/api/admin/customers/${customer.id}/debit`, {
        amount: 5,
        reason: 'correction',
        note: NOTE,
      }),
      post(support, `/api/admin/customers/${customer.id}/revoke-sessions`, { note: NOTE }),
      post(support, `/api/admin/customers/${customer.id}/disable`, { note: NOTE }),
    ];
    for (const res of await Promise.all(refused)) {
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect(await snapshot(h)).toEqual(before);
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    const customer = await h.signup();
    const before = await snapshot(h);
    const bodies: unknown[] = [
      {},
      { amount: 0, reason: 'goodwill', note: NOTE },
      { amount: -5, reason: 'goodwill', note: NOTE },
      { amount: 1.5, reason: 'goodwill', note: NOTE },
      { amount: '5', reason: 'goodwill', note: NOTE },
      { amount: 10_000_001, reason: 'goodwill', note: NOTE },
      { amount: 5, reason: 'because', note: NOTE },
      { amount: 5, reason: 'goodwill' },
      { amount: 5, reason: 'goodwill', note: '   ' },
      { amount: 5, reason: 'goodwill', note: 'x'.repeat(201) },
      { amount: 5, reason: 'goodwill', note: NOTE, userId: admin.id },
    ];
    for (const body of bodies) {
      for (const action of ['grant', 'debit']) {
        const res = await post(
          admin,
          `/api/admin/customers/${customer.id}/${action}`,
          body as object,
        );
        expect(res.status, `${action} ${JSON.stringify(body)}`).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_ERROR');
      }
    }
    const unknown = await post(admin, '/api/admin/customers/no-such-user/grant', {
      amount: 5,
      reason: 'goodwill',
      note: NOTE,
    });
    expect(unknown.status).toBe(404);
    const self = await post(admin, `/api/admin/customers/${admin.id}/grant`, {
      amount: 5,
      reason: 'goodwill',
      note: NOTE,
    });
    expect(self.status).toBe(403);
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('debit a correction', () => {
  it('may not take the balance below zero', async () => {
    const customer = await h.signup();
    const before = await snapshot(h);
    const res = await post(admin, `/api/admin/customers/${customer.id}/debit`, {
      amount: 11,
      reason: 'correction',
      note: NOTE,
    });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      details: { required: 11, balance: 10, shortfall: 1 },
    });
    expect(await snapshot(h)).toEqual(before);

    const ok = await post(admin, `/api/admin/customers/${customer.id}/debit`, {
      amount: 10,
      reason: 'correction',
      note: NOTE,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.audit[0]).toMatchObject({
      action: 'debit_credits',
      amount: -10,
      balanceBefore: 10,
      balanceAfter: 0,
    });
  });

  it('goes below zero for a chargeback, as a clawback the customer owes', async () => {
    const customer = await h.signup();
    const res = await post(admin, `/api/admin/customers/${customer.id}/debit`, {
      amount: 30,
      reason: 'chargeback',
      note: 'Bank dispute DP-9',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.balance).toBe(-20);
    const [entry] = await h.data.rows({
      table: 'transactions',
      columns: ['type', 'amount'],
      where: { id: res.body.audit[0].ledgerEntryId as number },
    });
    expect(entry).toEqual({ type: 'clawback', amount: -30 });
    const page = await h.http().get(`/api/admin/customers/${customer.id}`).set(admin.auth);
    expect(page.body.customer).toMatchObject({ creditBalance: -20, owedCredits: 20 });
  });
});

describe('four eyes above the threshold', () => {
  it('a second admin approves; the requester cannot', async () => {
    const customer = await h.signup();
    const before = await balance(h, customer.id);
    const res = await post(admin, `/api/admin/customers/${customer.id}/grant`, {
      amount: 500,
      reason: 'migration',
      note: 'Credits from the old system',
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending_approval', balance: null });
    expect(res.body.audit[0]).toMatchObject({ action: 'approval_requested', amount: 500 });
    const approvalId = res.body.approval.id as string;
    expect(await balance(h, customer.id)).toBe(before);

    const listed = await h.http().get('/api/admin/approvals?status=pending').set(support.auth);
    expect(listed.body.approvals.map((a: { id: string }) => a.id)).toContain(approvalId);

    const snap = await snapshot(h);
    const own = await post(admin, `/api/admin/approvals/${approvalId}/approve`, {});
    expect(own.status).toBe(403);
    const bySupport = await post(support, `/api/admin/approvals/${approvalId}/approve`, {});
    expect(bySupport.status).toBe(403);
    const bad = await post(admin2, `/api/admin/approvals/${approvalId}/approve`, {
      note: 'x'.repeat(201),
    });
    expect(bad.status).toBe(400);
    expect(await snapshot(h)).toEqual(snap);

    const approved = await post(admin2, `/api/admin/approvals/${approvalId}/approve`, {
      note: 'Checked the export',
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.approval).toMatchObject({
      status: 'approved',
      requestedBy: admin.id,
      decidedBy: admin2.id,
    });
    expect(approved.body.audit).toEqual([
      expect.objectContaining({ action: 'approval_approved', actorId: admin2.id, approvalId }),
      expect.objectContaining({
        action: 'grant_credits',
        actorId: admin2.id,
        approvalId,
        amount: 500,
        balanceBefore: before,
        balanceAfter: before + 500,
      }),
    ]);
    expect(await balance(h, customer.id)).toBe(before + 500);

    const again = await post(admin2, `/api/admin/approvals/${approvalId}/approve`, {});
    expect(again.status).toBe(409);
    expect(await balance(h, customer.id)).toBe(before + 500);
  });

  it('a rejected request changes nothing but the log', async () => {
    const customer = await h.signup();
    const res = await post(admin, `/api/admin/customers/${customer.id}/grant`, {
      amount: 300,
      reason: 'goodwill',
      note: NOTE,
    });
    const approvalId = res.body.approval.id as string;
    const rejected = await post(admin2, `/api/admin/approvals/${approvalId}/reject`, {
      note: 'No ticket',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.approval.status).toBe('rejected');
    expect(rejected.body.audit.map((a: { action: string }) => a.action)).toEqual([
      'approval_rejected',
    ]);
    expect(await balance(h, customer.id)).toBe(10);
    expect((await post(admin2, `/api/admin/approvals/${approvalId}/approve`, {})).status).toBe(409);
    expect((await post(admin2, '/api/admin/approvals/nope/approve', {})).status).toBe(404);
  });

  it('an approved debit the balance no longer covers is refused whole', async () => {
    const customer = await h.signup();
    await post(admin, `/api/admin/customers/${customer.id}/grant`, {
      amount: 195,
      reason: 'goodwill',
      note: NOTE,
    });
    const res = await post(admin, `/api/admin/customers/${customer.id}/debit`, {
      amount: 206,
      reason: 'correction',
      note: NOTE,
    });
    expect(res.status).toBe(402);
    const ok = await post(admin, `/api/admin/customers/${customer.id}/debit`, {
      amount: 201,
      reason: 'correction',
      note: NOTE,
    });
    expect(ok.status).toBe(202);
    // The customer spends meanwhile: the approval can no longer be applied.
    await post(admin, `/api/admin/customers/${customer.id}/debit`, {
      amount: 5,
      reason: 'correction',
      note: NOTE,
    });
    const snap = await snapshot(h);
    const approve = await post(admin2, `/api/admin/approvals/${ok.body.approval.id}/approve`, {});
    expect(approve.status).toBe(402);
    expect(await snapshot(h)).toEqual(snap);
    const pending = await h.store.admin.findApproval({ id: ok.body.approval.id });
    expect(pending?.status).toBe('pending');
  });

  // A CHECK constraint of the SQLite schema, checked on the SQLite file on purpose.
  it('the database itself refuses a decision by the requester', async () => {
    const customer = await h.signup();
    const res = await post(admin, `/api/admin/customers/${customer.id}/grant`, {
      amount: 250,
      reason: 'goodwill',
      note: NOTE,
    });
    const { db } = sqliteAdapterInternals(h.store);
    expect(() =>
      db
        .prepare(
          `UPDATE admin_approvals SET status = 'approved', decided_by = requested_by WHERE id = ?`,
        )
        .run(res.body.approval.id),
    ).toThrow(/CHECK constraint/);
  });

  it('every action so far is in the audit log', async () => {
    const actions = new Set((await auditRows(h)).map((r) => r.action));
    for (const a of [
      'grant_credits',
      'debit_credits',
      'approval_requested',
      'approval_approved',
      'approval_rejected',
    ]) {
      expect(actions).toContain(a);
    }
  });
});
