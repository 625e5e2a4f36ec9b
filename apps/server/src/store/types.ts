import type { PaymentStatus, Resolution, TransactionType, VideoStatus } from '@app/shared';

/**
 * The data layer seen by services: domain operations, each atomic inside the adapter.
 * Services never see SQL or the driver; a PostgreSQL adapter implements the same interface.
 */

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  creditBalance: number;
  totalCreditsPurchased: number;
  createdAt: string;
}

export interface LedgerEntry {
  id: number;
  userId: string;
  type: TransactionType;
  amount: number;
  balanceAfter: number;
  referenceType: string;
  referenceId: string;
  description: string;
  createdAt: string;
}

export interface PackageRecord {
  id: number;
  name: string;
  credits: number;
  bonusCredits: number;
  priceCents: number;
  currency: string;
  bestValue: boolean;
  active: boolean;
}

export interface PaymentRecord {
  id: string;
  userId: string;
  packageId: number;
  packageName: string;
  amountCents: number;
  currency: string;
  credits: number;
  status: PaymentStatus;
  stripePaymentIntentId: string | null;
  credited: boolean;
  amountReceivedCents: number | null;
  amountRefundedCents: number;
  creditsClawedBack: number;
  disputeId: string | null;
  disputeStatus: 'open' | 'won' | 'lost' | null;
  failureMessage: string | null;
  anomaly: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface VideoRecord {
  id: string;
  userId: string;
  idempotencyKey: string | null;
  status: VideoStatus;
  prompt: string;
  durationMinutes: number;
  resolution: Resolution;
  customMusic: boolean;
  premiumTTS: boolean;
  aiEnhancement: boolean;
  creditsUsed: number;
  creditsRefunded: number;
  progress: number;
  error: string | null;
  filePath: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface Page {
  limit: number;
  offset: number;
}
export interface PageResult<T> {
  rows: T[];
  total: number;
}

export interface TransactionFilter {
  type?: TransactionType;
  from?: string;
  to?: string;
}

/** A ledger effect planned by a service; the adapter applies it with the balance rules. */
export interface PlannedEntry {
  type: TransactionType;
  amount: number;
  referenceType: string;
  referenceId: string;
  description: string;
}

export type IdempotencyBegin =
  | { state: 'started' }
  | { state: 'in_progress' }
  | { state: 'mismatch' }
  | { state: 'completed'; status: number; body: string };

/** An idempotency record written in the same transaction as the effect it remembers. */
export interface AtomicIdempotency {
  scope: string;
  key: string;
  requestHash: string;
  /** The response to store with the record; pure and synchronous (it runs inside the transaction). */
  respond: (outcome: ChargeOutcome) => { status: number; body: string };
}

export type ChargeOutcome =
  | { kind: 'created'; video: VideoRecord; balance: number }
  | { kind: 'insufficient' | 'owes'; balance: number };

export type IdempotencyRequest = Omit<AtomicIdempotency, 'respond'>;

export type ChargeVideoResult =
  | { kind: 'created'; video: VideoRecord; balance: number }
  | { kind: 'stored_response'; status: number; body: string }
  | { kind: 'insufficient'; balance: number }
  | { kind: 'owes'; balance: number }
  | { kind: 'key_reused' };

export type VideoFinish =
  { status: 'completed'; filePath: string } | { status: 'failed' | 'canceled'; error: string };

/**
 * What a service decides for a payment given its current state. Runs inside the adapter's
 * transaction, so it must be synchronous and pure: no I/O, no awaits.
 */
export type PaymentDecision = (payment: PaymentRecord) => {
  patch: Partial<
    Pick<
      PaymentRecord,
      | 'status'
      | 'credited'
      | 'amountReceivedCents'
      | 'amountRefundedCents'
      | 'creditsClawedBack'
      | 'disputeId'
      | 'disputeStatus'
      | 'failureMessage'
      | 'anomaly'
    >
  >;
  entries: PlannedEntry[];
  outcome: string;
};

export type PaymentUpdateResult =
  | { kind: 'applied'; payment: PaymentRecord; balance: number; outcome: string }
  | { kind: 'duplicate_event' }
  | { kind: 'unknown_payment' };

export interface InvariantViolation {
  invariant: string;
  message: string;
}

export interface Store {
  close(): Promise<void>;

  createUser(input: {
    id: string;
    email: string;
    name: string;
    passwordHash: string;
    signupBonus: number;
    now: string;
  }): Promise<UserRecord | 'email_taken'>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  findUserById(id: string): Promise<UserRecord | null>;

  listTransactions(
    userId: string,
    filter: TransactionFilter,
    page: Page,
  ): Promise<PageResult<LedgerEntry>>;
  listActivePackages(): Promise<PackageRecord[]>;
  findPackage(id: number): Promise<PackageRecord | null>;

  beginIdempotentRequest(input: {
    userId: string;
    scope: string;
    key: string;
    requestHash: string;
    now: string;
    staleBefore: string;
  }): Promise<IdempotencyBegin>;
  completeIdempotentRequest(input: {
    userId: string;
    scope: string;
    key: string;
    status: number;
    body: string;
    now: string;
  }): Promise<void>;
  releaseIdempotentRequest(input: { userId: string; scope: string; key: string }): Promise<void>;
  /** At start-up: requests in progress belonged to a process that is gone. */
  releaseAllInProgressRequests(): Promise<number>;
  /**
   * Deletes up to `limit` completed idempotency records created before `createdBefore`
   * (oldest first) and returns how many went; records in progress are never touched.
   */
  pruneIdempotencyRecords(input: { createdBefore: string; limit: number }): Promise<number>;

  /**
   * Debit and create the video in one transaction, before any rendering; with `idempotency`,
   * the key's record and its response are written in that same transaction.
   */
  chargeAndCreateVideo(input: {
    idempotency?: AtomicIdempotency;
    video: Omit<
      VideoRecord,
      | 'creditsRefunded'
      | 'progress'
      | 'error'
      | 'filePath'
      | 'attempts'
      | 'updatedAt'
      | 'startedAt'
      | 'completedAt'
      | 'status'
    >;
  }): Promise<ChargeVideoResult>;
  findVideo(id: string): Promise<VideoRecord | null>;
  listVideos(
    userId: string,
    filter: { status?: VideoStatus },
    page: Page,
  ): Promise<PageResult<VideoRecord>>;
  /** Moves the oldest queued video to processing, or returns null. */
  claimNextVideo(now: string): Promise<VideoRecord | null>;
  updateVideoProgress(id: string, progress: number, now: string): Promise<void>;
  /** Puts a video back in the queue after a restart; returns false if it is terminal. */
  requeueVideo(id: string, now: string): Promise<boolean>;
  listVideosInStatus(statuses: VideoStatus[]): Promise<VideoRecord[]>;
  /** Resolves a video once: completed, or failed/canceled with exactly one refund. */
  finishVideo(
    id: string,
    finish: VideoFinish,
    now: string,
  ): Promise<{ video: VideoRecord; changed: boolean; balance: number }>;

  createPayment(input: {
    id: string;
    userId: string;
    pkg: PackageRecord;
    now: string;
  }): Promise<PaymentRecord>;
  attachPaymentIntent(paymentId: string, paymentIntentId: string, now: string): Promise<void>;
  findPayment(id: string): Promise<PaymentRecord | null>;
  findPaymentByIntent(paymentIntentId: string): Promise<PaymentRecord | null>;
  listPayments(userId: string, page: Page): Promise<PageResult<PaymentRecord>>;
  /** Applies a decision to a payment and records the Stripe event, at most once per event. */
  updatePayment(input: {
    paymentIntentId: string;
    event?: { id: string; type: string };
    decide: PaymentDecision;
    now: string;
  }): Promise<PaymentUpdateResult>;
  recordStripeEvent(input: {
    id: string;
    type: string;
    outcome: string;
    now: string;
  }): Promise<boolean>;

  getBalance(
    userId: string,
  ): Promise<{ creditBalance: number; totalCreditsPurchased: number } | null>;
  verifyInvariants(): Promise<InvariantViolation[]>;
}
