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
import { applyEntry, LedgerRejected } from './ledger.ts';
import { translateDriverError } from './errors.ts';
import type { Db } from './open.ts';
import * as outbox from './outbox.ts';
import { userFromRow, videoFromRow } from './rows.ts';
import { statement } from './statements.ts';

type Row = Record<string, unknown>;
type Tx = <T>(fn: () => T) => Promise<T>;

/** The ledger reference of a console entry: its audit row (checked by ledger:verify). */
export const ADMIN_REFERENCE_TYPE = 'admin';

const AUDIT_SELECT = `SELECT a.*, u.email AS actor_email FROM admin_audit_log a
  LEFT JOIN users u ON u.id = a.actor_id`;
const APPROVAL_SELECT = `SELECT p.*, t.email AS target_email, r.email AS requested_by_email
  FROM admin_approvals p JOIN users t ON t.id = p.target_user_id
  JOIN users r ON r.id = p.requested_by`;

/** Thrown inside a transaction to roll it back and report a refused debit. */
class Refused extends Error {
  constructor(readonly balance: number) {
    super('insufficient');
  }
}

export class SqliteAdminStore implements AdminStore {
  constructor(
    private readonly db: Db,
    /** The store's group-commit write transaction. */
    private readonly tx: Tx,
  ) {}

  private stmt(sql: string, pluck = false) {
    return statement(this.db, sql, { pluck });
  }

  private read<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(translateDriverError(err));
    }
  }

  setRole(input: { email: string; role: AdminRole; actor: AuditActor; now: string }) {
    return this.tx(() => {
      const row = this.stmt('SELECT * FROM users WHERE email = ?').get(input.email) as
        Row | undefined;
      if (!row) return null;
      const previous = userFromRow(row).role;
      this.stmt('UPDATE users SET role = ?, updated_at = ? WHERE id = ?').run(
        input.role,
        input.now,
        row.id,
      );
      if (previous !== input.role) {
        this.insertAudit(input.actor, input.now, {
          action: 'role_changed',
          targetUserId: row.id as string,
          targetType: 'user',
          targetId: row.id as string,
          reason: null,
          note: `${previous} -> ${input.role}`,
          details: { from: previous, to: input.role },
        });
      }
      return { user: this.user(row.id as string)!, previous };
    });
  }

  searchUsers({ query, limit }: SearchUsersInput): Promise<UserRecord[]> {
    return this.read(() => {
      const byId = this.stmt('SELECT * FROM users WHERE id = ?').get(query) as Row | undefined;
      if (byId) return [userFromRow(byId)];
      // A range on the unique email index: an exact address or the start of one.
      const prefix = query.toLowerCase();
      const rows = this.stmt(
        `SELECT * FROM users WHERE email >= ? AND email < ? || char(1114111)
           ORDER BY email LIMIT ?`,
      ).all(prefix, prefix, limit) as Row[];
      return rows.map(userFromRow);
    });
  }

  listSessions({ userId, limit }: ListSessionsInput): Promise<SessionRow[]> {
    return this.read(() =>
      (
        this.stmt(
          `SELECT id, created_at, expires_at, revoked_at FROM sessions WHERE user_id = ?
             ORDER BY created_at DESC LIMIT ?`,
        ).all(userId, limit) as Row[]
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
    return this.tx((): AdjustResult => {
      if (this.balanceOf(input.adjustment.userId) === undefined) return { kind: 'no_user' };
      const applied = this.applyAdjustment(input.actor, input.adjustment, input.now, null);
      return { kind: 'applied', ...applied };
    }).catch((err: unknown) => {
      if (err instanceof Refused) return { kind: 'insufficient', balance: err.balance };
      throw err;
    });
  }

  recordAudit(input: { actor: AuditActor; entry: AuditDraft; now: string }): Promise<AuditRecord> {
    return this.tx(() => this.insertAudit(input.actor, input.now, input.entry));
  }

  requestApproval(input: Parameters<AdminStore['requestApproval']>[0]) {
    return this.tx(() => {
      this.stmt(
        `INSERT INTO admin_approvals (id, action, target_user_id, payment_id, amount, reason, note,
           status, requested_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      ).run(
        input.id,
        input.action,
        input.targetUserId,
        input.paymentId,
        input.amount,
        input.reason,
        input.note,
        input.actor.id,
        input.now,
      );
      const audit = this.insertAudit(input.actor, input.now, {
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
      return { approval: this.approval(input.id)!, audit: [audit] };
    });
  }

  findApproval({ id }: FindApprovalInput): Promise<ApprovalRecord | null> {
    return this.read(() => this.approval(id));
  }

  listApprovals(filter: { status?: ApprovalStatus; targetUserId?: string; limit: number }) {
    return this.read(() => {
      const where: string[] = [];
      if (filter.status) where.push('p.status = @status');
      if (filter.targetUserId) where.push('p.target_user_id = @targetUserId');
      const rows = this.stmt(
        `${APPROVAL_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY p.created_at DESC, p.id DESC LIMIT @limit`,
      ).all({ status: filter.status, targetUserId: filter.targetUserId, limit: filter.limit });
      return (rows as Row[]).map(approvalFromRow);
    });
  }

  decideApproval(input: Parameters<AdminStore['decideApproval']>[0]): Promise<DecideResult> {
    return this.tx((): DecideResult => {
      const approval = this.approval(input.id);
      if (!approval) return { kind: 'not_found' };
      if (approval.status !== 'pending') return { kind: 'not_pending', approval };
      if (approval.requestedBy === input.actor.id) return { kind: 'own_request' };
      this.stmt(
        `UPDATE admin_approvals SET status = ?, decided_by = ?, decided_at = ?
           WHERE id = ? AND status = 'pending'`,
      ).run(input.approve ? 'approved' : 'rejected', input.actor.id, input.now, input.id);
      const decided = this.approval(input.id)!;
      const audit = [
        this.insertAudit(input.actor, input.now, {
          action: input.approve ? 'approval_approved' : 'approval_rejected',
          targetUserId: approval.targetUserId,
          targetType: 'approval',
          targetId: approval.id,
          reason: approval.reason,
          note: input.note,
          amount: approval.amount,
          approvalId: approval.id,
          details: { requestedAction: approval.action, requestedBy: approval.requestedBy },
        }),
      ];
      let balance: number | null = null;
      const adjustment = input.approve ? input.adjust(decided) : null;
      if (adjustment) {
        const applied = this.applyAdjustment(input.actor, adjustment, input.now, approval.id);
        audit.push(...applied.audit);
        balance = applied.balance;
      }
      return { kind: 'decided', approval: decided, audit, balance };
    }).catch((err: unknown) => {
      if (err instanceof Refused) return { kind: 'insufficient', balance: err.balance };
      throw err;
    });
  }

  failVideo(input: Parameters<AdminStore['failVideo']>[0]): Promise<VideoActionResult> {
    return this.tx((): VideoActionResult => {
      const row = this.stmt('SELECT * FROM video_generations WHERE id = ?').get(input.videoId) as
        Row | undefined;
      if (!row) return { kind: 'not_found' };
      const video = videoFromRow(row);
      if (video.status !== 'queued' && video.status !== 'processing') {
        return { kind: 'invalid_state', video };
      }
      const before = this.balanceOf(video.userId)!;
      this.stmt(
        `UPDATE video_generations SET status = 'failed', error = ?, credits_refunded = credits_used,
             completed_at = ?, updated_at = ? WHERE id = ?`,
      ).run(input.error, input.now, input.now, video.id);
      // The same entry a failed render writes (ledger:verify I5 expects exactly this one).
      const entry = applyEntry(
        this.db,
        video.userId,
        {
          type: 'refund',
          amount: video.creditsUsed,
          referenceType: 'video',
          referenceId: video.id,
          description: 'Refund: video generation failed',
        },
        input.now,
      );
      outbox.noticeVideoRefund(
        this.db,
        { userId: video.userId, videoId: video.id, credits: video.creditsUsed, reason: 'failed' },
        input.now,
      );
      const audit = this.insertAudit(input.actor, input.now, {
        action: 'fail_video',
        targetUserId: video.userId,
        targetType: 'video',
        targetId: video.id,
        reason: input.reason,
        note: input.note,
        amount: video.creditsUsed,
        balanceBefore: before,
        balanceAfter: entry.balanceAfter,
        ledgerEntryId: entry.id,
        details: { previousStatus: video.status, progress: video.progress },
      });
      return {
        kind: 'done',
        video: this.video(video.id),
        audit: [audit],
        balance: entry.balanceAfter,
      };
    });
  }

  requeueVideo(input: Parameters<AdminStore['requeueVideo']>[0]): Promise<VideoActionResult> {
    return this.tx((): VideoActionResult => {
      const row = this.stmt('SELECT * FROM video_generations WHERE id = ?').get(input.videoId) as
        Row | undefined;
      if (!row) return { kind: 'not_found' };
      const video = videoFromRow(row);
      if (video.status !== 'processing') return { kind: 'invalid_state', video };
      // The lease goes with it, as on PostgreSQL: the row no longer names a worker that
      // cannot write to it (every fence also checks the status).
      this.stmt(
        `UPDATE video_generations SET status = 'queued', progress = 0, lease_owner = NULL,
             lease_until = NULL, updated_at = ?
           WHERE id = ? AND status = 'processing'`,
      ).run(input.now, video.id);
      const balance = this.balanceOf(video.userId)!;
      const audit = this.insertAudit(input.actor, input.now, {
        action: 'requeue_video',
        targetUserId: video.userId,
        targetType: 'video',
        targetId: video.id,
        reason: input.reason,
        note: input.note,
        balanceBefore: balance,
        balanceAfter: balance,
        details: { progress: video.progress, attempts: video.attempts },
      });
      return { kind: 'done', video: this.video(video.id), audit: [audit], balance };
    });
  }

  revokeSessions(input: Parameters<AdminStore['revokeSessions']>[0]) {
    return this.tx(() => {
      const balance = this.balanceOf(input.userId);
      if (balance === undefined) return null;
      const revoked = this.revokeAll(input.userId, input.now);
      const audit = this.insertAudit(input.actor, input.now, {
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
    return this.tx(() => {
      const balance = this.balanceOf(input.userId);
      if (balance === undefined) return null;
      const changed = input.disabled
        ? this.stmt(
            'UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ? AND disabled_at IS NULL',
          ).run(input.now, input.now, input.userId).changes
        : this.stmt(
            'UPDATE users SET disabled_at = NULL, updated_at = ? WHERE id = ? AND disabled_at IS NOT NULL',
          ).run(input.now, input.userId).changes;
      if (changed === 0) return 'unchanged' as const;
      // Disabling also ends every session, so no token issued before keeps working.
      const revoked = input.disabled ? this.revokeAll(input.userId, input.now) : 0;
      const audit = this.insertAudit(input.actor, input.now, {
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
      return { user: this.user(input.userId)!, audit: [audit] };
    });
  }

  listAudit(filter: AuditFilter): Promise<AuditRecord[]> {
    return this.read(() => {
      const where: string[] = [];
      if (filter.actorId) where.push('a.actor_id = @actorId');
      if (filter.targetUserId) where.push('a.target_user_id = @targetUserId');
      if (filter.action) where.push('a.action = @action');
      if (filter.reason) where.push('a.reason = @reason');
      if (filter.from) where.push('a.created_at >= @from');
      if (filter.to) where.push('a.created_at <= @to');
      if (filter.before) where.push('a.id < @before');
      const rows = this.stmt(
        `${AUDIT_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY a.id DESC LIMIT @limit`,
      ).all({ ...filter }) as Row[];
      return rows.map(auditFromRow);
    });
  }

  overview({ since }: OverviewInput): Promise<OverviewStats> {
    return this.read(() =>
      this.db.transaction((): OverviewStats => {
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
        // Each table is read from its first row of the window on, found by rowid (rows are
        // appended in time order), so the cost is the window's rows, not the table's.
        const ledger = this.stmt(
          `SELECT substr(created_at, 1, 10) AS day, type, SUM(amount) AS total FROM transactions
             WHERE id >= ? AND type IN ('purchase', 'usage') GROUP BY 1, 2`,
        ).all(firstRowSince(this.db, 'transactions', since)) as {
          day: string;
          type: string;
          total: number;
        }[];
        for (const r of ledger) {
          if (r.type === 'purchase') day(r.day).creditsSold += r.total;
          else day(r.day).creditsSpent += -r.total;
        }
        const payments = this.stmt(
          `SELECT substr(COALESCE(credited_at, created_at), 1, 10) AS day,
               SUM(credited) AS succeeded, SUM(status = 'failed') AS failed,
               SUM(amount_refunded_cents > 0) AS refunded,
               SUM(CASE WHEN credited = 1 THEN amount_received_cents - amount_refunded_cents
                   ELSE 0 END) AS revenue
             FROM payments WHERE rowid >= ? GROUP BY 1`,
        ).all(firstRowSince(this.db, 'payments', since)) as Row[];
        for (const r of payments) {
          const d = day(r.day as string);
          d.paymentsSucceeded += Number(r.succeeded);
          d.paymentsFailed += Number(r.failed);
          d.paymentsRefunded += Number(r.refunded);
          d.revenueCents += Number(r.revenue);
        }
        const renders = this.stmt(
          `SELECT substr(COALESCE(completed_at, updated_at), 1, 10) AS day, COUNT(*) AS n
             FROM video_generations WHERE rowid >= ? AND status = 'failed' GROUP BY 1`,
        ).all(firstRowSince(this.db, 'video_generations', since)) as Row[];
        for (const r of renders) day(r.day as string).failedRenders += Number(r.n);
        const queue = this.stmt(
          `SELECT SUM(status = 'queued') AS queued, SUM(status = 'processing') AS processing
             FROM video_generations WHERE status IN ('queued', 'processing')`,
        ).get() as { queued: number | null; processing: number | null };
        const pending = this.stmt(
          `SELECT COUNT(*) FROM admin_approvals WHERE status = 'pending'`,
          true,
        ).get() as number;
        return {
          days: [...days.values()]
            .filter((d) => d.day >= since.slice(0, 10))
            .sort((a, b) => a.day.localeCompare(b.day)),
          queue: { queued: queue.queued ?? 0, processing: queue.processing ?? 0 },
          pendingApprovals: pending,
        };
      })(),
    );
  }

  /** A grant or debit, its ledger entry referencing its audit row, inside the caller's tx. */
  private applyAdjustment(
    actor: AuditActor,
    adjustment: CreditAdjustment,
    now: string,
    approvalId: string | null,
  ): { audit: AuditRecord[]; balance: number } {
    const before = this.balanceOf(adjustment.userId)!;
    const auditId = newId();
    let entry;
    try {
      entry = applyEntry(
        this.db,
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
      outbox.noticeLowBalance(
        this.db,
        { userId: adjustment.userId, before, after: entry.balanceAfter },
        now,
      );
    }
    const audit = this.insertAudit(
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

  private insertAudit(
    actor: AuditActor,
    now: string,
    e: AuditDraft,
    id: string = newId(),
  ): AuditRecord {
    this.stmt(
      `INSERT INTO admin_audit_log (id, created_at, actor_id, actor_role, action, target_user_id,
         target_type, target_id, reason, note, request_id, amount, balance_before, balance_after,
         ledger_entry_id, approval_id, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
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
    );
    return auditFromRow(this.stmt(`${AUDIT_SELECT} WHERE a.id = ?`).get(id) as Row);
  }

  private revokeAll(userId: string, now: string): number {
    return this.stmt(
      'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
    ).run(now, userId).changes;
  }

  private approval(id: string): ApprovalRecord | null {
    const row = this.stmt(`${APPROVAL_SELECT} WHERE p.id = ?`).get(id) as Row | undefined;
    return row ? approvalFromRow(row) : null;
  }

  private user(id: string): UserRecord | null {
    const row = this.stmt('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return row ? userFromRow(row) : null;
  }

  private video(id: string) {
    return videoFromRow(this.stmt('SELECT * FROM video_generations WHERE id = ?').get(id) as Row);
  }

  private balanceOf(userId: string): number | undefined {
    return this.stmt('SELECT credit_balance FROM users WHERE id = ?', true).get(userId) as
      number | undefined;
  }
}

/**
 * The first rowid whose `created_at` is at or after `since`, by binary search: rows are
 * appended in time order, so this costs ~log2(n) point reads instead of a scan.
 */
function firstRowSince(db: Db, table: string, since: string): number {
  const bounds = statement(db, `SELECT MIN(rowid) AS lo, MAX(rowid) AS hi FROM ${table}`).get() as {
    lo: number | null;
    hi: number | null;
  };
  if (bounds.lo === null || bounds.hi === null) return 0;
  const probe = statement(
    db,
    `SELECT rowid AS id, created_at FROM ${table} WHERE rowid >= ? ORDER BY rowid LIMIT 1`,
  );
  let lo = bounds.lo;
  let hi = bounds.hi;
  let answer = bounds.hi + 1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = probe.get(mid) as { id: number; created_at: string } | undefined;
    if (!row) {
      hi = mid - 1;
    } else if (row.created_at >= since) {
      answer = row.id;
      hi = mid - 1;
    } else {
      lo = row.id + 1;
    }
  }
  return answer;
}

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
