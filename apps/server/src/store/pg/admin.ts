import type { AdminRole, ApprovalStatus, ReasonCode } from '@app/shared';
import { newId } from '../../ids.ts';
import type {
  AdjustResult,
  AdminStore,
  ApprovalRecord,
  AuditActor,
  AuditDraft,
  AuditFilter,
  AuditRecord,
  CreditAdjustment,
  DecideResult,
  FindApprovalInput,
  ListSessionsInput,
  OverviewInput,
  OverviewStats,
  SearchUsersInput,
  SessionRow,
  VideoActionResult,
} from '../admin-types.ts';
import type { UserRecord } from '../types.ts';
import { userFromRow, videoFromRow } from '../sqlite/rows.ts';
import { applyEntry, LedgerRejected, lockUser } from './ledger.ts';
import * as outbox from './outbox.ts';
import type { PgRunner } from './pool.ts';
import { VIDEO_CHANNEL } from './listen.ts';
import type { Q } from './sql.ts';

type Row = Record<string, unknown>;

/** The ledger reference of a console entry: its audit row (checked by ledger:verify). */
const ADMIN_REFERENCE_TYPE = 'admin';

const AUDIT_SELECT = `SELECT a.*, u.email AS actor_email FROM admin_audit_log a
  LEFT JOIN users u ON u.id = a.actor_id`;
const APPROVAL_SELECT = `SELECT p.*, t.email AS target_email, r.email AS requested_by_email
  FROM admin_approvals p JOIN users t ON t.id = p.target_user_id
  JOIN users r ON r.id = p.requested_by`;

class Refused extends Error {
  constructor(readonly balance: number) {
    super('insufficient');
  }
}

/** The support console's operations on PostgreSQL (as sqlite/admin.ts; user rows locked first). */
export class PgAdminStore implements AdminStore {
  constructor(private readonly db: PgRunner) {}

  setRole(input: { email: string; role: AdminRole; actor: AuditActor; now: string }) {
    return this.db.tx(async (q) => {
      const row = await q.get('SELECT * FROM users WHERE email = ? FOR UPDATE', [input.email]);
      if (!row) return null;
      const previous = userFromRow(row).role;
      await q.run('UPDATE users SET role = ?, updated_at = ? WHERE id = ?', [
        input.role,
        input.now,
        row.id,
      ]);
      if (previous !== input.role) {
        await insertAudit(q, input.actor, input.now, {
          action: 'role_changed',
          targetUserId: row.id as string,
          targetType: 'user',
          targetId: row.id as string,
          reason: null,
          note: `${previous} -> ${input.role}`,
          details: { from: previous, to: input.role },
        });
      }
      return { user: (await user(q, row.id as string))!, previous };
    });
  }

  searchUsers({ query, limit }: SearchUsersInput): Promise<UserRecord[]> {
    return this.db.run(async (q) => {
      const byId = await q.get('SELECT * FROM users WHERE id = ?', [query]);
      if (byId) return [userFromRow(byId)];
      const prefix = query.toLowerCase();
      const rows = await q.all(
        `SELECT * FROM users WHERE starts_with(email, ?) ORDER BY email COLLATE "C" LIMIT ?`,
        [prefix, limit],
      );
      return rows.map(userFromRow);
    });
  }

  listSessions({ userId, limit }: ListSessionsInput): Promise<SessionRow[]> {
    return this.db.run(async (q) =>
      (
        await q.all(
          `SELECT id, created_at, expires_at, revoked_at FROM sessions WHERE user_id = ?
             ORDER BY created_at DESC LIMIT ?`,
          [userId, limit],
        )
      ).map((r) => ({
        id: r.id as string,
        createdAt: r.created_at as string,
        expiresAt: r.expires_at as string,
        revokedAt: (r.revoked_at as string | null) ?? null,
      })),
    );
  }

  adjustCredits(input: {
    actor: AuditActor;
    adjustment: CreditAdjustment;
    now: string;
  }): Promise<AdjustResult> {
    return this.db
      .tx(async (q): Promise<AdjustResult> => {
        if ((await lockUser(q, input.adjustment.userId)) === undefined) return { kind: 'no_user' };
        const applied = await applyAdjustment(q, input.actor, input.adjustment, input.now, null);
        return { kind: 'applied', ...applied };
      })
      .catch((err: unknown) => {
        if (err instanceof Refused) return { kind: 'insufficient', balance: err.balance };
        throw err;
      });
  }

  recordAudit(input: { actor: AuditActor; entry: AuditDraft; now: string }): Promise<AuditRecord> {
    return this.db.tx((q) => insertAudit(q, input.actor, input.now, input.entry));
  }

  requestApproval(input: Parameters<AdminStore['requestApproval']>[0]) {
    return this.db.tx(async (q) => {
      await q.run(
        `INSERT INTO admin_approvals (id, action, target_user_id, payment_id, amount, reason, note,
           status, requested_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
        [
          input.id,
          input.action,
          input.targetUserId,
          input.paymentId,
          input.amount,
          input.reason,
          input.note,
          input.actor.id,
          input.now,
        ],
      );
      const audit = await insertAudit(q, input.actor, input.now, {
        action: 'approval_requested',
        targetUserId: input.targetUserId,
        targetType: input.paymentId ? 'payment' : 'user',
        targetId: input.paymentId ?? input.targetUserId,
        reason: input.reason,
        note: input.note,
        amount: input.amount,
        approvalId: input.id,
        details: { requestedAction: input.action },
      });
      return { approval: (await approval(q, input.id))!, audit: [audit] };
    });
  }

  findApproval({ id }: FindApprovalInput): Promise<ApprovalRecord | null> {
    return this.db.run((q) => approval(q, id));
  }

  listApprovals(filter: { status?: ApprovalStatus; targetUserId?: string; limit: number }) {
    return this.db.run(async (q) => {
      const where: string[] = [];
      if (filter.status) where.push('p.status = @status');
      if (filter.targetUserId) where.push('p.target_user_id = @targetUserId');
      const rows = await q.all(
        `${APPROVAL_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY p.created_at DESC, p.id DESC LIMIT @limit`,
        { status: filter.status, targetUserId: filter.targetUserId, limit: filter.limit },
      );
      return rows.map(approvalFromRow);
    });
  }

  decideApproval(input: Parameters<AdminStore['decideApproval']>[0]): Promise<DecideResult> {
    return this.db
      .tx(async (q): Promise<DecideResult> => {
        const target = await q.value<string>(
          'SELECT target_user_id FROM admin_approvals WHERE id = ?',
          [input.id],
        );
        if (target === undefined) return { kind: 'not_found' };
        await lockUser(q, target);
        await q.run('SELECT 1 FROM admin_approvals WHERE id = ? FOR UPDATE', [input.id]);
        const found = (await approval(q, input.id))!;
        if (found.status !== 'pending') return { kind: 'not_pending', approval: found };
        if (found.requestedBy === input.actor.id) return { kind: 'own_request' };
        await q.run(
          `UPDATE admin_approvals SET status = ?, decided_by = ?, decided_at = ?
             WHERE id = ? AND status = 'pending'`,
          [input.approve ? 'approved' : 'rejected', input.actor.id, input.now, input.id],
        );
        const decided = (await approval(q, input.id))!;
        const audit = [
          await insertAudit(q, input.actor, input.now, {
            action: input.approve ? 'approval_approved' : 'approval_rejected',
            targetUserId: found.targetUserId,
            targetType: 'approval',
            targetId: found.id,
            reason: found.reason,
            note: input.note,
            amount: found.amount,
            approvalId: found.id,
            details: { requestedAction: found.action, requestedBy: found.requestedBy },
          }),
        ];
        let balance: number | null = null;
        const adjustment = input.approve ? input.adjust(decided) : null;
        if (adjustment) {
          const applied = await applyAdjustment(q, input.actor, adjustment, input.now, found.id);
          audit.push(...applied.audit);
          balance = applied.balance;
        }
        return { kind: 'decided', approval: decided, audit, balance };
      })
      .catch((err: unknown) => {
        if (err instanceof Refused) return { kind: 'insufficient', balance: err.balance };
        throw err;
      });
  }

  failVideo(input: Parameters<AdminStore['failVideo']>[0]): Promise<VideoActionResult> {
    return this.db.tx(async (q): Promise<VideoActionResult> => {
      const row = await lockedVideo(q, input.videoId);
      if (!row) return { kind: 'not_found' };
      const v = videoFromRow(row);
      if (v.status !== 'queued' && v.status !== 'processing') {
        return { kind: 'invalid_state', video: v };
      }
      const before = (await balanceOf(q, v.userId))!;
      await q.run(
        `UPDATE video_generations SET status = 'failed', error = ?, credits_refunded = credits_used,
             completed_at = ?, updated_at = ? WHERE id = ?`,
        [input.error, input.now, input.now, v.id],
      );
      const entry = await applyEntry(
        q,
        v.userId,
        {
          type: 'refund',
          amount: v.creditsUsed,
          referenceType: 'video',
          referenceId: v.id,
          description: 'Refund: video generation failed',
        },
        input.now,
      );
      await outbox.noticeVideoRefund(
        q,
        { userId: v.userId, videoId: v.id, credits: v.creditsUsed, reason: 'failed' },
        input.now,
      );
      await q.run('SELECT pg_notify(?, ?)', [VIDEO_CHANNEL, v.id]);
      const audit = await insertAudit(q, input.actor, input.now, {
        action: 'fail_video',
        targetUserId: v.userId,
        targetType: 'video',
        targetId: v.id,
        reason: input.reason,
        note: input.note,
        amount: v.creditsUsed,
        balanceBefore: before,
        balanceAfter: entry.balanceAfter,
        ledgerEntryId: entry.id,
        details: { previousStatus: v.status, progress: v.progress },
      });
      return {
        kind: 'done',
        video: await video(q, v.id),
        audit: [audit],
        balance: entry.balanceAfter,
      };
    });
  }

  requeueVideo(input: Parameters<AdminStore['requeueVideo']>[0]): Promise<VideoActionResult> {
    return this.db.tx(async (q): Promise<VideoActionResult> => {
      const row = await lockedVideo(q, input.videoId);
      if (!row) return { kind: 'not_found' };
      const v = videoFromRow(row);
      if (v.status !== 'processing') return { kind: 'invalid_state', video: v };
      // The lease goes with it: whoever was rendering can no longer record a result.
      await q.run(
        `UPDATE video_generations SET status = 'queued', progress = 0, lease_owner = NULL,
             lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'processing'`,
        [input.now, v.id],
      );
      await q.run('SELECT pg_notify(?, ?)', [VIDEO_CHANNEL, v.id]);
      const balance = (await balanceOf(q, v.userId))!;
      const audit = await insertAudit(q, input.actor, input.now, {
        action: 'requeue_video',
        targetUserId: v.userId,
        targetType: 'video',
        targetId: v.id,
        reason: input.reason,
        note: input.note,
        balanceBefore: balance,
        balanceAfter: balance,
        details: { progress: v.progress, attempts: v.attempts },
      });
      return { kind: 'done', video: await video(q, v.id), audit: [audit], balance };
    });
  }

  revokeSessions(input: Parameters<AdminStore['revokeSessions']>[0]) {
    return this.db.tx(async (q) => {
      const balance = await lockUser(q, input.userId);
      if (balance === undefined) return null;
      const revoked = await revokeAll(q, input.userId, input.now);
      const audit = await insertAudit(q, input.actor, input.now, {
        action: 'revoke_sessions',
        targetUserId: input.userId,
        targetType: 'user',
        targetId: input.userId,
        reason: input.reason,
        note: input.note,
        balanceBefore: balance,
        balanceAfter: balance,
        details: { revoked },
      });
      return { revoked, audit: [audit] };
    });
  }

  setDisabled(input: Parameters<AdminStore['setDisabled']>[0]) {
    return this.db.tx(async (q) => {
      const balance = await lockUser(q, input.userId);
      if (balance === undefined) return null;
      const changed = input.disabled
        ? await q.run(
            'UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ? AND disabled_at IS NULL',
            [input.now, input.now, input.userId],
          )
        : await q.run(
            'UPDATE users SET disabled_at = NULL, updated_at = ? WHERE id = ? AND disabled_at IS NOT NULL',
            [input.now, input.userId],
          );
      if (changed === 0) return 'unchanged' as const;
      const revoked = input.disabled ? await revokeAll(q, input.userId, input.now) : 0;
      const audit = await insertAudit(q, input.actor, input.now, {
        action: input.disabled ? 'disable_account' : 'enable_account',
        targetUserId: input.userId,
        targetType: 'user',
        targetId: input.userId,
        reason: input.reason,
        note: input.note,
        balanceBefore: balance,
        balanceAfter: balance,
        details: input.disabled ? { sessionsRevoked: revoked } : null,
      });
      return { user: (await user(q, input.userId))!, audit: [audit] };
    });
  }

  listAudit(filter: AuditFilter): Promise<AuditRecord[]> {
    return this.db.run(async (q) => {
      const where: string[] = [];
      if (filter.actorId) where.push('a.actor_id = @actorId');
      if (filter.targetUserId) where.push('a.target_user_id = @targetUserId');
      if (filter.action) where.push('a.action = @action');
      if (filter.reason) where.push('a.reason = @reason');
      if (filter.from) where.push('a.created_at >= @from');
      if (filter.to) where.push('a.created_at <= @to');
      if (filter.before) where.push('a.id < @before');
      const rows = await q.all(
        `${AUDIT_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY a.id DESC LIMIT @limit`,
        { ...filter },
      );
      return rows.map(auditFromRow);
    });
  }

  overview({ since }: OverviewInput): Promise<OverviewStats> {
    return this.db.tx(async (q): Promise<OverviewStats> => {
      // One snapshot for every figure on the page.
      await q.run('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const days = new Map<string, OverviewStats['days'][number]>();
      const day = (key: string) => {
        let d = days.get(key);
        if (!d) {
          d = {
            day: key,
            revenueCents: 0,
            creditsSold: 0,
            creditsSpent: 0,
            paymentsSucceeded: 0,
            paymentsFailed: 0,
            paymentsRefunded: 0,
            failedRenders: 0,
          };
          days.set(key, d);
        }
        return d;
      };
      const ledger = await q.all<{ day: string; type: string; total: number }>(
        `SELECT substr(created_at, 1, 10) AS day, type, SUM(amount) AS total FROM transactions
           WHERE created_at >= ? AND type IN ('purchase', 'usage') GROUP BY 1, 2`,
        [since],
      );
      for (const r of ledger) {
        if (r.type === 'purchase') day(r.day).creditsSold += r.total;
        else day(r.day).creditsSpent += -r.total;
      }
      const payments = await q.all(
        `SELECT substr(COALESCE(credited_at, created_at), 1, 10) AS day,
             SUM(credited) AS succeeded, SUM((status = 'failed')::int) AS failed,
             SUM((amount_refunded_cents > 0)::int) AS refunded,
             SUM(CASE WHEN credited = 1 THEN amount_received_cents - amount_refunded_cents
                 ELSE 0 END) AS revenue
           FROM payments WHERE created_at >= ? GROUP BY 1`,
        [since],
      );
      for (const r of payments) {
        const d = day(r.day as string);
        d.paymentsSucceeded += Number(r.succeeded);
        d.paymentsFailed += Number(r.failed);
        d.paymentsRefunded += Number(r.refunded);
        d.revenueCents += Number(r.revenue);
      }
      const renders = await q.all(
        `SELECT substr(COALESCE(completed_at, updated_at), 1, 10) AS day, COUNT(*) AS n
           FROM video_generations WHERE created_at >= ? AND status = 'failed' GROUP BY 1`,
        [since],
      );
      for (const r of renders) day(r.day as string).failedRenders += Number(r.n);
      const queue = (await q.get<{ queued: number | null; processing: number | null }>(
        `SELECT SUM((status = 'queued')::int) AS queued, SUM((status = 'processing')::int) AS processing
           FROM video_generations WHERE status IN ('queued', 'processing')`,
      ))!;
      const pending = (await q.value<number>(
        `SELECT COUNT(*) FROM admin_approvals WHERE status = 'pending'`,
      ))!;
      return {
        days: [...days.values()]
          .filter((d) => d.day >= since.slice(0, 10))
          .sort((a, b) => a.day.localeCompare(b.day)),
        queue: { queued: Number(queue.queued ?? 0), processing: Number(queue.processing ?? 0) },
        pendingApprovals: pending,
      };
    });
  }
}

async function applyAdjustment(
  q: Q,
  actor: AuditActor,
  adjustment: CreditAdjustment,
  now: string,
  approvalId: string | null,
): Promise<{ audit: AuditRecord[]; balance: number }> {
  const before = (await lockUser(q, adjustment.userId))!;
  const auditId = newId();
  let entry;
  try {
    entry = await applyEntry(
      q,
      adjustment.userId,
      {
        type: adjustment.entryType,
        amount: adjustment.amount,
        referenceType: ADMIN_REFERENCE_TYPE,
        referenceId: auditId,
        description: adjustment.description,
      },
      now,
    );
  } catch (err) {
    if (err instanceof LedgerRejected && err.reason === 'insufficient') throw new Refused(before);
    throw err;
  }
  if (adjustment.amount < 0) {
    await outbox.noticeLowBalance(
      q,
      { userId: adjustment.userId, before, after: entry.balanceAfter },
      now,
    );
  }
  const audit = await insertAudit(
    q,
    actor,
    now,
    {
      action: adjustment.action,
      targetUserId: adjustment.userId,
      targetType: 'user',
      targetId: adjustment.userId,
      reason: adjustment.reason,
      note: adjustment.note,
      amount: adjustment.amount,
      balanceBefore: before,
      balanceAfter: entry.balanceAfter,
      ledgerEntryId: entry.id,
      approvalId,
      details: { entryType: adjustment.entryType },
    },
    auditId,
  );
  return { audit: [audit], balance: entry.balanceAfter };
}

async function insertAudit(
  q: Q,
  actor: AuditActor,
  now: string,
  e: AuditDraft,
  id: string = newId(),
): Promise<AuditRecord> {
  await q.run(
    `INSERT INTO admin_audit_log (id, created_at, actor_id, actor_role, action, target_user_id,
       target_type, target_id, reason, note, request_id, amount, balance_before, balance_after,
       ledger_entry_id, approval_id, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      now,
      actor.id,
      actor.role,
      e.action,
      e.targetUserId,
      e.targetType,
      e.targetId,
      e.reason,
      e.note,
      actor.requestId,
      e.amount ?? null,
      e.balanceBefore ?? null,
      e.balanceAfter ?? null,
      e.ledgerEntryId ?? null,
      e.approvalId ?? null,
      e.details ? JSON.stringify(e.details) : null,
    ],
  );
  return auditFromRow((await q.get(`${AUDIT_SELECT} WHERE a.id = ?`, [id]))!);
}

const revokeAll = (q: Q, userId: string, now: string) =>
  q.run('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [
    now,
    userId,
  ]);

async function approval(q: Q, id: string): Promise<ApprovalRecord | null> {
  const row = await q.get(`${APPROVAL_SELECT} WHERE p.id = ?`, [id]);
  return row ? approvalFromRow(row) : null;
}

async function user(q: Q, id: string): Promise<UserRecord | null> {
  const row = await q.get('SELECT * FROM users WHERE id = ?', [id]);
  return row ? userFromRow(row) : null;
}

const video = async (q: Q, id: string) =>
  videoFromRow((await q.get('SELECT * FROM video_generations WHERE id = ?', [id]))!);

/** Lock order user → video, as every write. */
async function lockedVideo(q: Q, id: string): Promise<Row | undefined> {
  const owner = await q.value<string>('SELECT user_id FROM video_generations WHERE id = ?', [id]);
  if (owner === undefined) return undefined;
  await lockUser(q, owner);
  return q.get('SELECT * FROM video_generations WHERE id = ? FOR UPDATE', [id]);
}

const balanceOf = (q: Q, userId: string) =>
  q.value<number>('SELECT credit_balance FROM users WHERE id = ?', [userId]);

function auditFromRow(r: Row): AuditRecord {
  return {
    id: r.id as string,
    createdAt: r.created_at as string,
    actorId: (r.actor_id as string | null) ?? null,
    actorEmail: (r.actor_email as string | null) ?? null,
    actorRole: r.actor_role as string,
    action: r.action as AuditRecord['action'],
    targetUserId: (r.target_user_id as string | null) ?? null,
    targetType: r.target_type as string,
    targetId: r.target_id as string,
    reason: (r.reason as ReasonCode | null) ?? null,
    note: r.note as string,
    requestId: (r.request_id as string | null) ?? null,
    amount: (r.amount as number | null) ?? null,
    balanceBefore: (r.balance_before as number | null) ?? null,
    balanceAfter: (r.balance_after as number | null) ?? null,
    ledgerEntryId: (r.ledger_entry_id as number | null) ?? null,
    approvalId: (r.approval_id as string | null) ?? null,
    details: r.details ? (JSON.parse(r.details as string) as Record<string, unknown>) : null,
  };
}

function approvalFromRow(r: Row): ApprovalRecord {
  return {
    id: r.id as string,
    action: r.action as ApprovalRecord['action'],
    targetUserId: r.target_user_id as string,
    targetEmail: (r.target_email as string | null) ?? null,
    paymentId: (r.payment_id as string | null) ?? null,
    amount: r.amount as number,
    reason: r.reason as ReasonCode,
    note: r.note as string,
    status: r.status as ApprovalStatus,
    requestedBy: r.requested_by as string,
    requestedByEmail: (r.requested_by_email as string | null) ?? null,
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: (r.decided_at as string | null) ?? null,
    createdAt: r.created_at as string,
  };
}
