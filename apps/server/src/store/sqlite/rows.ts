import type {
  LedgerEntry,
  PackageRecord,
  PaymentRecord,
  UserRecord,
  VideoRecord,
} from '../types.ts';

/** Column-to-field mapping lives here only, so records never leak snake_case. */

export const userFromRow = (r: Record<string, unknown>): UserRecord => ({
  id: r.id as string,
  email: r.email as string,
  name: r.name as string,
  passwordHash: r.password_hash as string,
  creditBalance: r.credit_balance as number,
  totalCreditsPurchased: r.total_credits_purchased as number,
  createdAt: r.created_at as string,
  emailVerifiedAt: (r.email_verified_at as string | null) ?? null,
  deletedAt: (r.deleted_at as string | null) ?? null,
  notifyRefunds: r.notify_refunds !== 0,
  notifyLowBalance: r.notify_low_balance === 1,
  role: (r.role as UserRecord['role'] | undefined) ?? 'user',
  disabledAt: (r.disabled_at as string | null) ?? null,
});

export const entryFromRow = (r: Record<string, unknown>): LedgerEntry => ({
  id: r.id as number,
  userId: r.user_id as string,
  type: r.type as LedgerEntry['type'],
  amount: r.amount as number,
  balanceAfter: r.balance_after as number,
  referenceType: r.reference_type as string,
  referenceId: r.reference_id as string,
  description: r.description as string,
  createdAt: r.created_at as string,
});

export const packageFromRow = (r: Record<string, unknown>): PackageRecord => ({
  id: r.id as number,
  name: r.name as string,
  credits: r.credits as number,
  bonusCredits: r.bonus_credits as number,
  priceCents: r.price_cents as number,
  currency: r.currency as string,
  bestValue: r.best_value === 1,
  active: r.active === 1,
});

export const paymentFromRow = (r: Record<string, unknown>): PaymentRecord => ({
  id: r.id as string,
  userId: r.user_id as string,
  packageId: r.package_id as number,
  packageName: r.package_name as string,
  amountCents: r.amount_cents as number,
  currency: r.currency as string,
  credits: r.credits as number,
  status: r.status as PaymentRecord['status'],
  stripePaymentIntentId: (r.stripe_payment_intent_id as string | null) ?? null,
  credited: r.credited === 1,
  amountReceivedCents: (r.amount_received_cents as number | null) ?? null,
  amountRefundedCents: r.amount_refunded_cents as number,
  creditsClawedBack: r.credits_clawed_back as number,
  disputeId: (r.dispute_id as string | null) ?? null,
  disputeStatus: (r.dispute_status as PaymentRecord['disputeStatus']) ?? null,
  failureMessage: (r.failure_message as string | null) ?? null,
  anomaly: (r.anomaly as string | null) ?? null,
  cardBrand: (r.card_brand as string | null) ?? null,
  cardLast4: (r.card_last4 as string | null) ?? null,
  stripeReceiptUrl: (r.stripe_receipt_url as string | null) ?? null,
  creditedAt: (r.credited_at as string | null) ?? null,
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string,
});

export const videoFromRow = (r: Record<string, unknown>): VideoRecord => ({
  id: r.id as string,
  userId: r.user_id as string,
  idempotencyKey: (r.idempotency_key as string | null) ?? null,
  status: r.status as VideoRecord['status'],
  prompt: r.prompt as string,
  durationMinutes: r.duration_minutes as number,
  resolution: r.resolution as VideoRecord['resolution'],
  customMusic: r.custom_music === 1,
  premiumTTS: r.premium_tts === 1,
  aiEnhancement: r.ai_enhancement === 1,
  creditsUsed: r.credits_used as number,
  creditsRefunded: r.credits_refunded as number,
  progress: r.progress as number,
  error: (r.error as string | null) ?? null,
  filePath: (r.file_path as string | null) ?? null,
  attempts: r.attempts as number,
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string,
  startedAt: (r.started_at as string | null) ?? null,
  completedAt: (r.completed_at as string | null) ?? null,
  deletedAt: (r.deleted_at as string | null) ?? null,
});
