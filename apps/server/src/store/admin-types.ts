import type {
  AdminRole,
  ApprovalAction,
  ApprovalStatus,
  AuditAction,
  ReasonCode,
} from '@app/shared';
import type { UserRecord, VideoRecord } from './types.ts';

/**
 * The support console's side of the store. Every action is one transaction that writes its
 * effect and its audit entry together; a refused action writes neither.
 */

/** Who acts, as recorded in the audit log (`cli`: `pnpm admin:create` on the server itself). */
export interface AuditActor {
  id: string | null;
  role: 'support' | 'admin' | 'cli';
  requestId: string | null;
}

export interface AuditRecord {
  id: string;
  createdAt: string;
  actorId: string | null;
  actorEmail: string | null;
  actorRole: string;
  action: AuditAction;
  targetUserId: string | null;
  targetType: string;
  targetId: string;
  reason: ReasonCode | null;
  note: string;
  requestId: string | null;
  amount: number | null;
  balanceBefore: number | null;
  balanceAfter: number | null;
  ledgerEntryId: number | null;
  approvalId: string | null;
  details: Record<string, unknown> | null;
}

/** What an audit entry says besides who acted and when. */
export interface AuditDraft {
  action: AuditAction;
  targetUserId: string | null;
  targetType: string;
  targetId: string;
  reason: ReasonCode | null;
  note: string;
  amount?: number | null;
  balanceBefore?: number | null;
  balanceAfter?: number | null;
  ledgerEntryId?: number | null;
  approvalId?: string | null;
  details?: Record<string, unknown> | null;
}

export interface ApprovalRecord {
  id: string;
  action: ApprovalAction;
  targetUserId: string;
  targetEmail: string | null;
  paymentId: string | null;
  amount: number;
  reason: ReasonCode;
  note: string;
  status: ApprovalStatus;
  requestedBy: string;
  requestedByEmail: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
}

/** A grant (positive) or a debit (negative) of credits, written as one ledger entry. */
export interface CreditAdjustment {
  action: 'grant_credits' | 'debit_credits';
  userId: string;
  amount: number;
  /** `clawback` may take the balance below zero (a chargeback); `adjustment` may not. */
  entryType: 'adjustment' | 'clawback';
  description: string;
  reason: ReasonCode;
  note: string;
}

export type AdjustResult =
  | { kind: 'applied'; audit: AuditRecord[]; balance: number }
  | { kind: 'insufficient'; balance: number }
  | { kind: 'no_user' };

export type DecideResult =
  | { kind: 'decided'; approval: ApprovalRecord; audit: AuditRecord[]; balance: number | null }
  | { kind: 'not_found' }
  | { kind: 'not_pending'; approval: ApprovalRecord }
  | { kind: 'own_request' }
  | { kind: 'insufficient'; balance: number };

export type VideoActionResult =
  | { kind: 'done'; video: VideoRecord; audit: AuditRecord[]; balance: number }
  | { kind: 'not_found' }
  | { kind: 'invalid_state'; video: VideoRecord };

export interface SessionRow {
  id: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface AuditFilter {
  actorId?: string;
  targetUserId?: string;
  action?: AuditAction;
  reason?: ReasonCode;
  from?: string;
  to?: string;
  before?: string;
  limit: number;
}

export interface OverviewStats {
  days: {
    day: string;
    revenueCents: number;
    creditsSold: number;
    creditsSpent: number;
    paymentsSucceeded: number;
    paymentsFailed: number;
    paymentsRefunded: number;
    failedRenders: number;
  }[];
  queue: { queued: number; processing: number };
  pendingApprovals: number;
}

export interface SearchUsersInput {
  query: string;
  limit: number;
}

export interface ListSessionsInput {
  userId: string;
  limit: number;
}

export interface FindApprovalInput {
  id: string;
}

export interface OverviewInput {
  /** An ISO date-time: the first day counted. */
  since: string;
}

export interface AdminStore {
  /** Sets a role by email (the CLI), with its audit entry; null if there is no such account. */
  setRole(input: {
    email: string;
    role: AdminRole;
    actor: AuditActor;
    now: string;
  }): Promise<{ user: UserRecord; previous: AdminRole } | null>;
  /** An exact id, an exact email, or the first accounts whose email starts with `query`. */
  searchUsers(input: SearchUsersInput): Promise<UserRecord[]>;
  listSessions(input: ListSessionsInput): Promise<SessionRow[]>;

  adjustCredits(input: {
    actor: AuditActor;
    adjustment: CreditAdjustment;
    now: string;
  }): Promise<AdjustResult>;
  /** Any audit entry without a ledger effect of its own (a Stripe refund, a failed one). */
  recordAudit(input: { actor: AuditActor; entry: AuditDraft; now: string }): Promise<AuditRecord>;

  /** A pending four-eyes request and its `approval_requested` audit entry. */
  requestApproval(input: {
    id: string;
    actor: AuditActor & { id: string };
    action: ApprovalAction;
    targetUserId: string;
    paymentId: string | null;
    amount: number;
    reason: ReasonCode;
    note: string;
    now: string;
  }): Promise<{ approval: ApprovalRecord; audit: AuditRecord[] }>;
  findApproval(input: FindApprovalInput): Promise<ApprovalRecord | null>;
  listApprovals(filter: {
    status?: ApprovalStatus;
    targetUserId?: string;
    limit: number;
  }): Promise<ApprovalRecord[]>;
  /**
   * Approves or rejects a pending request, in one transaction with its audit entry; approving
   * a credit adjustment applies it (`adjust`, pure and synchronous) in that same transaction.
   * If the adjustment is refused (the balance no longer covers a debit) nothing is written.
   */
  decideApproval(input: {
    id: string;
    actor: AuditActor & { id: string };
    approve: boolean;
    note: string;
    now: string;
    adjust: (approval: ApprovalRecord) => CreditAdjustment | null;
  }): Promise<DecideResult>;

  /** Fails a queued or rendering video with its full refund (a `refund` entry) and audit entry. */
  failVideo(input: {
    videoId: string;
    actor: AuditActor;
    reason: ReasonCode;
    note: string;
    error: string;
    now: string;
  }): Promise<VideoActionResult>;
  /** Puts a video stuck in `processing` back in the queue, with its audit entry. */
  requeueVideo(input: {
    videoId: string;
    actor: AuditActor;
    reason: ReasonCode;
    note: string;
    now: string;
  }): Promise<VideoActionResult>;

  /** Revokes every live session of the user; returns how many, with the audit entry. */
  revokeSessions(input: {
    userId: string;
    actor: AuditActor;
    reason: ReasonCode;
    note: string;
    now: string;
  }): Promise<{ revoked: number; audit: AuditRecord[] } | null>;
  /** Disables (and signs out everywhere) or re-enables an account, with its audit entry. */
  setDisabled(input: {
    userId: string;
    disabled: boolean;
    actor: AuditActor;
    reason: ReasonCode;
    note: string;
    now: string;
  }): Promise<{ user: UserRecord; audit: AuditRecord[] } | 'unchanged' | null>;

  listAudit(filter: AuditFilter): Promise<AuditRecord[]>;
  /** Day-by-day numbers since `since`, plus the queue right now. */
  overview(input: OverviewInput): Promise<OverviewStats>;
}
