import { z } from 'zod';
import { PaginationSchema, PaymentSchema, TransactionSchema, VideoSchema } from './schemas.ts';

/**
 * The support console (`/api/admin/*`). Every action names a reason from a fixed list and a
 * short note; both land in the append-only audit log next to the action's ledger effect.
 */

export const ADMIN_ROLES = ['user', 'support', 'admin'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export const REASON_CODES = [
  'goodwill',
  'correction',
  'chargeback',
  'migration',
  'job_refund',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const AUDIT_ACTIONS = [
  'grant_credits',
  'debit_credits',
  'refund_payment',
  'refund_payment_failed',
  'fail_video',
  'requeue_video',
  'revoke_sessions',
  'disable_account',
  'enable_account',
  'approval_requested',
  'approval_approved',
  'approval_rejected',
  'role_changed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Actions that move money and may need a second admin's approval. */
export const APPROVAL_ACTIONS = ['grant_credits', 'debit_credits', 'refund_payment'] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const ADMIN_NOTE_MAX_CHARS = 200;
/** Largest single grant or debit; anything bigger is a data migration, not a console action. */
export const ADMIN_MAX_CREDITS = 1_000_000;

const Note = z
  .string()
  .trim()
  .min(1, 'Write a short note for the audit log')
  .max(ADMIN_NOTE_MAX_CHARS, `At most ${ADMIN_NOTE_MAX_CHARS} characters`);
const Reason = z.enum(REASON_CODES);
const Id = z.string().min(1).max(100);

// ---------- requests ----------
export const AdminCreditRequestSchema = z.strictObject({
  amount: z.number().int().min(1).max(ADMIN_MAX_CREDITS),
  reason: Reason,
  note: Note,
});
export type AdminCreditRequest = z.infer<typeof AdminCreditRequestSchema>;

export const AdminRefundRequestSchema = z.strictObject({
  /** Omitted: whatever of the payment is not refunded yet. */
  amountCents: z.number().int().min(1).max(100_000_000).optional(),
  reason: Reason,
  note: Note,
});
export type AdminRefundRequest = z.infer<typeof AdminRefundRequestSchema>;

export const AdminVideoActionRequestSchema = z.strictObject({
  reason: Reason.default('job_refund'),
  note: Note,
});
export type AdminVideoActionRequest = z.input<typeof AdminVideoActionRequestSchema>;

export const AdminAccountActionRequestSchema = z.strictObject({
  reason: Reason.default('correction'),
  note: Note,
});
export type AdminAccountActionRequest = z.input<typeof AdminAccountActionRequestSchema>;

export const AdminApprovalDecisionSchema = z.strictObject({
  note: z.string().trim().max(ADMIN_NOTE_MAX_CHARS).default(''),
});
export type AdminApprovalDecision = z.input<typeof AdminApprovalDecisionSchema>;

export const CustomerSearchQuerySchema = z.strictObject({
  q: z.string().trim().min(1, 'Type an email or an id').max(320),
});

export const AuditQuerySchema = z.strictObject({
  actorId: Id.optional(),
  targetUserId: Id.optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  reason: Reason.optional(),
  from: z.iso.date().or(z.iso.datetime()).optional(),
  to: z.iso.date().or(z.iso.datetime()).optional(),
  /** Keyset cursor: entries older than this id (the previous page's `nextBefore`). */
  before: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.input<typeof AuditQuerySchema>;

export const ApprovalsQuerySchema = z.strictObject({
  status: z.enum(APPROVAL_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const OverviewQuerySchema = z.strictObject({
  days: z.coerce.number().int().min(1).max(90).default(30),
});

// ---------- responses ----------
export const AdminMeResponseSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  role: z.enum(['support', 'admin']),
  /** Largest goodwill grant support may make (admins: no limit but the approval threshold). */
  supportGrantLimit: z.number().int(),
  /** Money actions above this many credits wait for a second admin. */
  approvalThreshold: z.number().int(),
});
export type AdminMeResponse = z.infer<typeof AdminMeResponseSchema>;

export const AdminCustomerSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ADMIN_ROLES),
  creditBalance: z.number().int(),
  /** Credits the customer owes after a clawback took more than the balance (0 if none). */
  owedCredits: z.number().int(),
  totalCreditsPurchased: z.number().int(),
  emailVerified: z.boolean(),
  emailVerifiedAt: z.string().nullable(),
  disabledAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type AdminCustomer = z.infer<typeof AdminCustomerSchema>;

export const AdminSessionSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  active: z.boolean(),
});
export type AdminSession = z.infer<typeof AdminSessionSchema>;

export const AuditEntrySchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  actorId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  actorRole: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  targetUserId: z.string().nullable(),
  targetType: z.string(),
  targetId: z.string(),
  reason: Reason.nullable(),
  note: z.string(),
  requestId: z.string().nullable(),
  amount: z.number().int().nullable(),
  balanceBefore: z.number().int().nullable(),
  balanceAfter: z.number().int().nullable(),
  ledgerEntryId: z.number().int().nullable(),
  approvalId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const ApprovalSchema = z.object({
  id: z.string(),
  action: z.enum(APPROVAL_ACTIONS),
  targetUserId: z.string(),
  targetEmail: z.string().nullable(),
  /** Credits for grants and debits; cents for refunds. */
  amount: z.number().int(),
  paymentId: z.string().nullable(),
  reason: Reason,
  note: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  requestedBy: z.string(),
  requestedByEmail: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Approval = z.infer<typeof ApprovalSchema>;

export const CustomerSearchResponseSchema = z.object({ customers: z.array(AdminCustomerSchema) });
export type CustomerSearchResponse = z.infer<typeof CustomerSearchResponseSchema>;

export const AdminCustomerResponseSchema = z.object({
  customer: AdminCustomerSchema,
  sessions: z.array(AdminSessionSchema),
  approvals: z.array(ApprovalSchema),
});
export type AdminCustomerResponse = z.infer<typeof AdminCustomerResponseSchema>;

export const AdminPaymentsResponseSchema = z.object({
  payments: z.array(PaymentSchema),
  pagination: PaginationSchema,
});
export const AdminVideosResponseSchema = z.object({
  videos: z.array(VideoSchema),
  pagination: PaginationSchema,
});
export const AdminTransactionsResponseSchema = z.object({
  transactions: z.array(TransactionSchema),
  pagination: PaginationSchema,
});

/** What an action did: applied at once, or waiting for a second admin. */
export const AdminActionResponseSchema = z.object({
  status: z.enum(['applied', 'pending_approval']),
  audit: z.array(AuditEntrySchema),
  approval: ApprovalSchema.nullable(),
  balance: z.number().int().nullable(),
});
export type AdminActionResponse = z.infer<typeof AdminActionResponseSchema>;

export const AuditLogResponseSchema = z.object({
  entries: z.array(AuditEntrySchema),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: z.string().nullable(),
});
export type AuditLogResponse = z.infer<typeof AuditLogResponseSchema>;

export const ApprovalsResponseSchema = z.object({ approvals: z.array(ApprovalSchema) });
export type ApprovalsResponse = z.infer<typeof ApprovalsResponseSchema>;

export const OverviewDaySchema = z.object({
  day: z.string(),
  revenueCents: z.number().int(),
  creditsSold: z.number().int(),
  creditsSpent: z.number().int(),
  paymentsSucceeded: z.number().int(),
  paymentsFailed: z.number().int(),
  failedRenders: z.number().int(),
});
export type OverviewDay = z.infer<typeof OverviewDaySchema>;

export const OverviewResponseSchema = z.object({
  days: z.array(OverviewDaySchema),
  totals: z.object({
    revenueCents: z.number().int(),
    creditsSold: z.number().int(),
    creditsSpent: z.number().int(),
    /** Succeeded / (succeeded + failed) payments of the window; null when there were none. */
    paymentSuccessRate: z.number().nullable(),
    /** Refunded or partially refunded / succeeded payments of the window. */
    refundRate: z.number().nullable(),
    failedRenders: z.number().int(),
  }),
  queue: z.object({ queued: z.number().int(), processing: z.number().int() }),
  pendingApprovals: z.number().int(),
  currency: z.string(),
});
export type OverviewResponse = z.infer<typeof OverviewResponseSchema>;
