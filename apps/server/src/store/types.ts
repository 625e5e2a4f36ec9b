import type {
  AdminRole,
  PaymentStatus,
  Resolution,
  TransactionType,
  VideoStatus,
} from '@app/shared';
import type { IRateLimiterOptions, RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AdminStore } from './admin-types.ts';

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
  emailVerifiedAt: string | null;
  /** Set when the account was deleted; its personal data is gone, the row stays for the ledger. */
  deletedAt: string | null;
  notifyRefunds: boolean;
  notifyLowBalance: boolean;
  /** Console access: `support` and `admin` see `/api/admin`; see admin-types.ts. */
  role: AdminRole;
  /** Set while an admin has disabled the account: no sign-in, no spending, no buying. */
  disabledAt: string | null;
}

export interface NewSession {
  id: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
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
  cardBrand: string | null;
  cardLast4: string | null;
  stripeReceiptUrl: string | null;
  /** When the purchase entry was written (null until credited). */
  creditedAt: string | null;
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
  /** Set when its owner deleted it from the library: hidden, file gone, ledger untouched. */
  deletedAt?: string | null;
}

/** A user's video list: by status, and/or prompts containing every word of `q`. */
export interface VideoListFilter {
  status?: VideoStatus;
  q?: string;
}

export type DeleteVideoResult =
  { kind: 'deleted'; filePath: string | null } | { kind: 'not_found' } | { kind: 'active' };

/** Sums of one user's ledger over a range, grouped as the spend summary shows them. */
export interface SpendSummaryRows {
  /** Per local day (YYYY-MM-DD) and ledger type: the signed sum of the amounts. */
  daily: { date: string; type: TransactionType; amount: number }[];
  /** Usage entries in the range, per resolution: credits charged, videos, and add-on counts. */
  usage: {
    resolution: Resolution;
    credits: number;
    videos: number;
    customMusic: number;
    premiumTTS: number;
    aiEnhancement: number;
  }[];
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
  | { kind: 'too_many_queued'; queued: number; limit: number }
  | { kind: 'key_reused' };

export type VideoFinish =
  { status: 'completed'; filePath: string } | { status: 'failed' | 'canceled'; error: string };

/** Who holds a render job: the fencing token every write of the worker carries. */
export interface VideoLease {
  owner: string;
  /** The video's `attempts` when it was claimed. */
  attempt: number;
}

export interface ClaimVideoInput {
  owner: string;
  leaseMs: number;
  now: string;
  maxRunningPerUser: number;
}

export interface RenewVideoLeaseInput {
  id: string;
  lease: VideoLease;
  leaseMs: number;
  now: string;
  /** 0-100; never lowers the recorded progress. */
  progress?: number;
}

export interface ReapLeasesInput {
  now: string;
  maxAttempts: number;
  limit: number;
}

export interface ReapedVideo {
  video: VideoRecord;
  outcome: 'requeued' | 'failed';
}

export interface FinishVideoInput {
  id: string;
  finish: VideoFinish;
  now: string;
  lease?: VideoLease;
}

export interface FinishVideoResult {
  video: VideoRecord;
  changed: boolean;
  balance: number;
}

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
      | 'cardBrand'
      | 'cardLast4'
      | 'stripeReceiptUrl'
    >
  >;
  entries: PlannedEntry[];
  outcome: string;
  /** Mail the decision causes (a receipt), queued in the same transaction. */
  mail?: MailDraft[];
};

export type PaymentUpdateResult =
  | { kind: 'applied'; payment: PaymentRecord; balance: number; outcome: string }
  | { kind: 'duplicate_event' }
  | { kind: 'unknown_payment' };

/** Every mail the product sends; the outbox worker renders it when it sends. */
export const MAIL_TEMPLATES = [
  'verify_email',
  'reset_password',
  'change_email_verify',
  'change_email_notice',
  'receipt',
  'video_refunded',
  'low_balance',
] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

export type MailParams = Record<string, string | number | boolean | null>;

/** A mail to queue. `to` null: the user's current address, read when it is sent. */
export interface MailDraft {
  userId: string | null;
  to: string | null;
  template: MailTemplate;
  params: MailParams;
}

/** An outbox row claimed for sending (its lease keeps anyone else from sending it too). */
export interface ClaimedMail {
  id: number;
  userId: string | null;
  /** The explicit address, else the user's current one; null: nobody to send to any more. */
  to: string | null;
  template: MailTemplate;
  params: MailParams;
  messageId: string;
  attempts: number;
  createdAt: string;
}

export type AccountTokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

/** A new single-use link token: only its hash is stored. */
export interface NewAccountToken {
  tokenHash: string;
  purpose: AccountTokenPurpose;
  /** The address the link was sent to (for an email change: the new address). */
  email: string;
  expiresAt: string;
}

export type TokenUse<T> =
  { kind: 'ok'; value: T } | { kind: 'invalid' } | { kind: 'expired' } | { kind: 'email_taken' };

export interface InvariantViolation {
  invariant: string;
  message: string;
}

export interface Store {
  close(): Promise<void>;
  /** The support console's operations (admin-types.ts). */
  readonly admin: AdminStore;

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

  /**
   * Signup with the account layer: the user, the signup bonus only if `bonusMailboxHash` has
   * not had one (the mailbox row and the bonus in one transaction), the verification token and
   * its mail, all in one transaction.
   */
  createAccount(input: {
    id: string;
    email: string;
    name: string;
    passwordHash: string;
    signupBonus: number;
    bonusMailboxHash: string;
    now: string;
    verification: NewAccountToken;
    mail: MailDraft[];
  }): Promise<{ user: UserRecord; bonusGranted: boolean } | 'email_taken'>;
  /** Stores a link token for the user and queues its mail, in one transaction. */
  issueAccountToken(input: {
    userId: string;
    token: NewAccountToken;
    now: string;
    mail: MailDraft[];
  }): Promise<void>;
  /**
   * A reset request for an address that may not have an account: when it has one, the token
   * and its mail are stored; either way the same transaction runs, so both answers take the
   * same path through the database. `mail` is built for the user found.
   */
  requestPasswordReset(input: {
    email: string;
    token: Omit<NewAccountToken, 'email'>;
    now: string;
    mail: (user: UserRecord) => MailDraft[];
  }): Promise<boolean>;
  /** The live (unused, unexpired) token with this hash and purpose, and its user. */
  findAccountToken(input: {
    tokenHash: string;
    purpose: AccountTokenPurpose;
    now: string;
  }): Promise<TokenUse<{ user: UserRecord; email: string }>>;
  /** Uses a verification token: marks the address verified if it is still the user's. */
  useVerificationToken(input: { tokenHash: string; now: string }): Promise<TokenUse<UserRecord>>;
  /**
   * Uses a reset token: sets the hash, revokes every session, voids the user's other reset
   * tokens, in one transaction; a token used or voided meanwhile is `invalid`.
   */
  useResetToken(input: {
    tokenHash: string;
    userId: string;
    passwordHash: string;
    now: string;
  }): Promise<TokenUse<UserRecord>>;
  /** Uses an email-change token: the new address becomes the (verified) login address. */
  useEmailChangeToken(input: { tokenHash: string; now: string }): Promise<TokenUse<UserRecord>>;
  setNotificationSettings(input: {
    userId: string;
    refundNotice: boolean;
    lowBalance: boolean;
    now: string;
  }): Promise<UserRecord | null>;
  /**
   * Deletes an account: credits forfeited (one ledger entry), active videos canceled without
   * refund, sessions, tokens and unsent mail removed, personal data overwritten. The row, the
   * ledger and the payments stay, tied to the anonymous id. Returns the video files to delete.
   */
  deleteAccount(input: {
    userId: string;
    now: string;
  }): Promise<{ forfeited: number; videoFiles: string[]; activeVideoIds: string[] } | null>;

  /** Claims the next due mail for `leaseMs` (also one whose lease ran out: its sender died). */
  claimMail(input: { now: string; leaseUntil: string }): Promise<ClaimedMail | null>;
  /** Marks a claimed mail sent and forgets its parameters (they may hold a link token). */
  markMailSent(input: { id: number; now: string }): Promise<void>;
  /** Forgets finished (sent, failed, canceled) mail created before the cutoff, in batches. */
  pruneFinishedMail(input: { createdBefore: string; limit: number }): Promise<number>;
  /** Puts a claimed mail back for another try at `nextAttemptAt`, or ends it (`failed`). */
  markMailFailed(input: {
    id: number;
    error: string;
    nextAttemptAt: string | null;
    state: 'pending' | 'failed' | 'canceled';
  }): Promise<void>;

  /** One row per access token (its `sid` claim); see migration 004. */
  createSession(input: NewSession): Promise<void>;
  /** True while the session exists, is not revoked and its user still exists. */
  isSessionActive(sessionId: string, userId: string): Promise<boolean>;
  /** Revokes one of the user's sessions; false if it was not theirs or already revoked. */
  revokeSession(input: { id: string; userId: string; now: string }): Promise<boolean>;
  /** Revokes every live session of the user; returns how many. */
  revokeUserSessions(input: { userId: string; now: string }): Promise<number>;
  /**
   * Sets the new hash, revokes every session of the user and opens `session`, in one
   * transaction: no old token outlives the change, and the caller's browser stays signed in.
   */
  changePassword(input: {
    userId: string;
    passwordHash: string;
    now: string;
    session: NewSession;
  }): Promise<UserRecord | null>;
  /** Deletes up to `limit` sessions that expired before `expiredBefore`; returns how many. */
  pruneSessions(input: { expiredBefore: string; limit: number }): Promise<number>;

  listTransactions(
    userId: string,
    filter: TransactionFilter,
    page: Page,
  ): Promise<PageResult<LedgerEntry>>;
  /**
   * Up to `limit` entries of the filter with an id below `beforeId` (all when omitted), newest
   * first: one keyset batch of an export, never the whole history at once.
   */
  listTransactionsBefore(
    userId: string,
    filter: TransactionFilter,
    batch: { beforeId?: number; limit: number },
  ): Promise<LedgerEntry[]>;
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
  /**
   * Forgets a request in progress that did not finish (its handler failed). A request whose
   * process died is not released by anyone: its record goes stale after `staleBefore` and the
   * next attempt with the key takes it over. Nothing is released "at start-up": with several
   * instances, another live one may still be working on it.
   */
  releaseIdempotentRequest(input: { userId: string; scope: string; key: string }): Promise<void>;
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
    /** The user's queued videos may not exceed this; checked in the charge transaction. */
    maxQueued: number;
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
  /** The user's videos, newest first; deleted ones are never listed. */
  listVideos(userId: string, filter: VideoListFilter, page: Page): Promise<PageResult<VideoRecord>>;
  /**
   * Deletes a finished video of the user from the library (`active`: it is still queued or
   * rendering; `not_found`: not theirs or already deleted). The row stays for the ledger,
   * without its prompt or file; returns the file the caller must remove.
   */
  deleteVideo(input: { id: string; userId: string; now: string }): Promise<DeleteVideoResult>;
  /** Prompts of these videos of the user (deleted ones: null), by primary key; for ledger rows. */
  videoPrompts(userId: string, ids: string[]): Promise<Map<string, string | null>>;
  /** The user's ledger from `from` on, summed per day (shifted by `tzOffsetMinutes`) and feature. */
  spendSummary(input: {
    userId: string;
    from: string;
    tzOffsetMinutes: number;
  }): Promise<SpendSummaryRows>;
  /**
   * Leases the next queued video to `owner` for `leaseMs` and moves it to processing (its
   * `attempts` + 1 is the lease's attempt number), or returns null: round robin across users
   * (lowest fair round, then oldest), skipping users already rendering `maxRunningPerUser`.
   * Two workers never get the same video.
   */
  claimVideo(input: ClaimVideoInput): Promise<VideoRecord | null>;
  /**
   * Extends the lease (the worker's heartbeat) and records progress when given. `lost`: the
   * video is no longer this lease's (canceled, reaped, requeued): the worker stops rendering.
   */
  renewVideoLease(input: RenewVideoLeaseInput): Promise<'renewed' | 'lost'>;
  /** Gives a leased video back to the queue at once (graceful shutdown); false if lost. */
  releaseVideoLease(input: { id: string; lease: VideoLease; now: string }): Promise<boolean>;
  /**
   * Videos whose lease ran out (their worker died or stalled): each is queued again, or failed
   * with its full refund once `maxAttempts` attempts were made. At most `limit` per call.
   */
  reapExpiredLeases(input: ReapLeasesInput): Promise<ReapedVideo[]>;
  listVideosInStatus(statuses: VideoStatus[]): Promise<VideoRecord[]>;
  /**
   * Resolves a video once: completed; failed with a full refund; or canceled with the refund
   * of the cancel policy (`cancelRefundCredits`, from the progress recorded when the cancel
   * lands). Each refund is one ledger entry referencing the video; a zero refund writes none.
   * With `lease` (a worker's result) nothing changes unless the video is still processing
   * under that very lease: a stale worker can never resolve a video another one took over.
   */
  finishVideo(input: FinishVideoInput): Promise<FinishVideoResult>;

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
  /**
   * Deletes up to `limit` webhook-event records received before `receivedBefore`; returns how
   * many. Safe once Stripe has stopped retrying: a replay of a forgotten event finds the
   * payment already in the state the event describes, and the ledger's unique reference
   * refuses a second effect.
   */
  pruneStripeEvents(input: { receivedBefore: string; limit: number }): Promise<number>;

  getBalance(
    userId: string,
  ): Promise<{ creditBalance: number; totalCreditsPurchased: number } | null>;
  verifyInvariants(): Promise<InvariantViolation[]>;

  /** A real, harmless write through the write path (readiness: is the database writable?). */
  probeWrite(): Promise<void>;
  /** The backlogs operators watch: videos waiting and rendering, mails not yet sent. */
  operationalGauges(): Promise<OperationalGauges>;
  /**
   * Video changes made by other instances (PostgreSQL LISTEN/NOTIFY, sent inside the writing
   * transaction so they arrive only once committed): a video changed (its id) or was queued.
   * `onGap`: the feed was interrupted and may have missed some; re-read what matters. One
   * process (SQLite) has no other instance: the listener is never called. Returns `stop`.
   */
  listenVideoEvents(listener: VideoEventListener): Promise<() => Promise<void>>;
  /**
   * Runs `fn` unless another instance is running the job called `name` right now (then
   * returns null). PostgreSQL: a session advisory lock held for the run; one process
   * (SQLite): always runs.
   */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T | null>;
  /**
   * A rate limiter whose counters every instance sharing this database sees (PostgreSQL: an
   * UNLOGGED table, with an in-memory limiter as insurance while the database is away); one
   * process (SQLite): in memory.
   */
  rateLimiter: LimiterFactory;
  /** Called with every locked/full/unavailable driver failure, before it becomes a typed error. */
  observeDriverErrors(listener: (kind: DriverErrorKind) => void): void;
}

export type LimiterFactory = (
  options: IRateLimiterOptions & { keyPrefix: string },
) => RateLimiterAbstract;

export interface VideoEventListener {
  onVideo: (videoId: string) => void;
  onQueued: () => void;
  onGap: () => void;
}

export type DriverErrorKind = 'busy' | 'full' | 'unavailable';

export interface OperationalGauges {
  videosQueued: number;
  videosProcessing: number;
  mailBacklog: number;
}
