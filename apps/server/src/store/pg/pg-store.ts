import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import type {
  AttachPaymentIntentInput,
  Balance,
  BeginIdempotentRequestInput,
  ChangePasswordInput,
  ChargeVideoInput,
  ChargeVideoResult,
  ClaimMailInput,
  ClaimVideoInput,
  CompleteIdempotentRequestInput,
  CreateAccountInput,
  CreatePaymentInput,
  CreateUserInput,
  DeleteAccountInput,
  DeleteVideoInput,
  DriverErrorKind,
  ExclusivelyInput,
  FindAccountTokenInput,
  FindPackageInput,
  FindPaymentByIntentInput,
  FindPaymentInput,
  FindUserByEmailInput,
  FindUserByIdInput,
  FindVideoInput,
  FinishVideoInput,
  FinishVideoResult,
  GetBalanceInput,
  IdempotencyBegin,
  IsSessionActiveInput,
  IssueAccountTokenInput,
  LedgerEntry,
  LimiterFactory,
  ListPaymentsInput,
  ListTransactionsBeforeInput,
  ListTransactionsInput,
  ListVideosInput,
  ListVideosInStatusInput,
  MarkMailFailedInput,
  MarkMailSentInput,
  NewSession,
  OperationalGauges,
  PackageRecord,
  PageResult,
  PaymentRecord,
  PaymentUpdateResult,
  PruneFinishedMailInput,
  PruneIdempotencyRecordsInput,
  PruneSessionsInput,
  PruneStripeEventsInput,
  ReapedVideo,
  ReapLeasesInput,
  RecordStripeEventInput,
  ReleaseIdempotentRequestInput,
  ReleaseVideoLeaseInput,
  RenewVideoLeaseInput,
  RequestPasswordResetInput,
  RevokeSessionInput,
  RevokeUserSessionsInput,
  SetNotificationSettingsInput,
  SpendSummaryInput,
  Store,
  UpdatePaymentInput,
  UseResetTokenInput,
  UserRecord,
  UseTokenInput,
  VideoEventListener,
  VideoPromptsInput,
  VideoRecord,
} from '../types.ts';
import { listenVideoEvents } from './listen.ts';
import * as accounts from './accounts.ts';
import { PgAdminStore } from './admin.ts';
import { checkPgInvariants } from './invariants.ts';
import { LedgerRejected } from './ledger.ts';
import * as library from './video-library.ts';
import * as charge from './charge-video.ts';
import type { ChargeStatementResult } from './charge-video.ts';
import * as idempotency from './idempotency.ts';
import * as ledger from './ledger-queries.ts';
import * as operations from './operations.ts';
import * as packages from './packages.ts';
import * as payments from './payments.ts';
import * as sessions from './sessions.ts';
import * as users from './users.ts';
import * as videos from './videos.ts';
import * as outbox from './outbox.ts';
import { createPool, PgRunner, type PgOptions } from './pool.ts';
import type { Q } from './sql.ts';
import { QueueAnnouncer } from './queue-announcer.ts';
import { ChargeBatcher } from './charge-batcher.ts';
import { refusedByServer } from './errors.ts';

export function openPgStore(options: PgOptions): PgStore {
  return new PgStore(createPool(options), options.connectionString);
}

/**
 * The Store on PostgreSQL, for several instances on one database. Every write is one
 * transaction at READ COMMITTED that locks the user's row first (lock order user → payment or
 * video), so two instances serialize exactly where SQLite's single writer did; claims use
 * FOR UPDATE SKIP LOCKED. Serialization failures and deadlocks are retried inside (pool.ts).
 */
export class PgStore implements Store {
  readonly runner: PgRunner;
  readonly admin: PgAdminStore;
  private readonly queued: QueueAnnouncer;
  private readonly charges: ChargeBatcher<ChargeVideoInput, ChargeStatementResult | undefined>;

  constructor(
    readonly pool: pg.Pool,
    private readonly connectionString: string,
  ) {
    this.runner = new PgRunner(pool);
    this.admin = new PgAdminStore(this.runner);
    this.queued = new QueueAnnouncer(() => this.runner.statement((q) => videos.announceQueued(q)));
    this.charges = new ChargeBatcher({
      // Measured with 2 instances under load, 1 to 5 slots were within the noise of each
      // other, all about 15 % faster than every charge alone (README, Performance); a third
      // leaves most of the pool to reads and the render worker.
      slots: Math.max(1, Math.floor((pool.options.max ?? 10) / 3)),
      maxBatch: 32,
      one: (input) => this.runner.statement((q) => charge.chargeVideoStatement(q, input)),
      many: (inputs) =>
        this.runner.statement((q) =>
          charge.chargeVideosStatement(q, inputs).catch((err: unknown) => {
            if (refusedByServer(err)) return 'rolled_back' as const;
            throw err;
          }),
        ),
    });
  }

  private run<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    return this.runner.run(fn);
  }

  private tx<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    return this.runner.tx(fn);
  }

  async close(): Promise<void> {
    await this.queued.drain();
    await this.pool.end();
  }

  createUser(input: CreateUserInput): Promise<UserRecord | 'email_taken'> {
    return this.tx((q) => users.createUser(q, input));
  }

  findUserByEmail(input: FindUserByEmailInput): Promise<UserRecord | null> {
    return this.run((q) => users.findUserByEmail(q, input));
  }

  findUserById(input: FindUserByIdInput): Promise<UserRecord | null> {
    return this.run((q) => users.findUserById(q, input));
  }

  createAccount(input: CreateAccountInput) {
    return this.tx((q) => accounts.createAccount(q, input));
  }

  issueAccountToken(input: IssueAccountTokenInput): Promise<void> {
    return this.tx((q) => accounts.issueAccountToken(q, input));
  }

  requestPasswordReset(input: RequestPasswordResetInput): Promise<boolean> {
    return this.tx((q) => accounts.requestPasswordReset(q, input));
  }

  findAccountToken(input: FindAccountTokenInput) {
    return this.run((q) => accounts.findAccountToken(q, input.tokenHash, input.purpose, input.now));
  }

  useVerificationToken(input: UseTokenInput) {
    return this.tx((q) => accounts.useVerificationToken(q, input.tokenHash, input.now));
  }

  useResetToken(input: UseResetTokenInput) {
    return this.tx((q) => accounts.useResetToken(q, input));
  }

  useEmailChangeToken(input: UseTokenInput) {
    return this.tx((q) => accounts.useEmailChangeToken(q, input.tokenHash, input.now));
  }

  setNotificationSettings(input: SetNotificationSettingsInput) {
    return this.tx((q) => accounts.setNotificationSettings(q, input));
  }

  deleteAccount(input: DeleteAccountInput) {
    return this.tx((q) => accounts.deleteAccount(q, input));
  }

  claimMail(input: ClaimMailInput) {
    return this.tx((q) => outbox.claimMail(q, input.now, input.leaseUntil));
  }

  markMailSent(input: MarkMailSentInput): Promise<void> {
    return this.tx((q) => outbox.markMailSent(q, input.id, input.now));
  }

  markMailFailed(input: MarkMailFailedInput): Promise<void> {
    return this.tx((q) => outbox.markMailFailed(q, input));
  }

  pruneFinishedMail(input: PruneFinishedMailInput): Promise<number> {
    return this.tx((q) => outbox.pruneFinishedMail(q, input));
  }

  createSession(input: NewSession): Promise<void> {
    return this.tx((q) => sessions.insertSession(q, input));
  }

  isSessionActive(input: IsSessionActiveInput): Promise<boolean> {
    return this.run((q) => sessions.isSessionActive(q, input));
  }

  revokeSession(input: RevokeSessionInput): Promise<boolean> {
    return this.tx((q) => sessions.revokeSession(q, input));
  }

  revokeUserSessions(input: RevokeUserSessionsInput): Promise<number> {
    return this.tx((q) => sessions.revokeUserSessions(q, input));
  }

  changePassword(input: ChangePasswordInput): Promise<UserRecord | null> {
    return this.tx((q) => sessions.changePassword(q, input));
  }

  pruneSessions(input: PruneSessionsInput): Promise<number> {
    return this.tx((q) => sessions.pruneSessions(q, input));
  }

  getBalance(input: GetBalanceInput): Promise<Balance | null> {
    return this.run((q) => ledger.getBalance(q, input));
  }

  listTransactions(input: ListTransactionsInput): Promise<PageResult<LedgerEntry>> {
    return this.run((q) => ledger.listTransactions(q, input));
  }

  listTransactionsBefore(input: ListTransactionsBeforeInput): Promise<LedgerEntry[]> {
    return this.run((q) => ledger.listTransactionsBefore(q, input));
  }

  listActivePackages(): Promise<PackageRecord[]> {
    return this.run((q) => packages.listActivePackages(q));
  }

  findPackage(input: FindPackageInput): Promise<PackageRecord | null> {
    return this.run((q) => packages.findPackage(q, input));
  }

  beginIdempotentRequest(input: BeginIdempotentRequestInput): Promise<IdempotencyBegin> {
    return this.tx((q) => idempotency.beginIdempotentRequest(q, input));
  }

  completeIdempotentRequest(input: CompleteIdempotentRequestInput): Promise<void> {
    return this.tx((q) => idempotency.completeIdempotentRequest(q, input));
  }

  releaseIdempotentRequest(input: ReleaseIdempotentRequestInput): Promise<void> {
    return this.tx((q) => idempotency.releaseIdempotentRequest(q, input));
  }

  pruneIdempotencyRecords(input: PruneIdempotencyRecordsInput): Promise<number> {
    return this.tx((q) => idempotency.pruneIdempotencyRecords(q, input));
  }

  /** Not `tx`: the charge is one statement, its own transaction (charge-video.ts). */
  async chargeAndCreateVideo(input: ChargeVideoInput): Promise<ChargeVideoResult> {
    const result = await this.charges.charge(input);
    if (!result || result.kind === 'no_user') throw new LedgerRejected('no_user');
    if (result.kind === 'created') this.queued.announce();
    return result;
  }

  findVideo(input: FindVideoInput): Promise<VideoRecord | null> {
    return this.run((q) => videos.findVideo(q, input));
  }

  listVideos(input: ListVideosInput): Promise<PageResult<VideoRecord>> {
    return this.run((q) => library.listLibraryVideos(q, input.userId, input.filter, input.page));
  }

  deleteVideo(input: DeleteVideoInput) {
    return this.tx((q) => library.deleteLibraryVideo(q, input));
  }

  videoPrompts(input: VideoPromptsInput): Promise<Map<string, string | null>> {
    return this.run((q) => library.videoPromptsOf(q, input.userId, input.ids));
  }

  spendSummary(input: SpendSummaryInput) {
    return this.run((q) => library.spendSummaryRows(q, input));
  }

  /** Not `tx`: the claim is one statement (migration 7). */
  claimVideo(input: ClaimVideoInput): Promise<VideoRecord | null> {
    return this.runner.statement((q) => videos.claimVideo(q, input));
  }

  renewVideoLease(input: RenewVideoLeaseInput): Promise<'renewed' | 'lost'> {
    return this.tx((q) => videos.renewVideoLease(q, input));
  }

  releaseVideoLease(input: ReleaseVideoLeaseInput): Promise<boolean> {
    return this.tx((q) => videos.releaseVideoLease(q, input));
  }

  reapExpiredLeases(input: ReapLeasesInput): Promise<ReapedVideo[]> {
    return this.tx((q) => videos.reapExpiredLeases(q, input));
  }

  listVideosInStatus(input: ListVideosInStatusInput): Promise<VideoRecord[]> {
    return this.run((q) => videos.listVideosInStatus(q, input));
  }

  /** The worker's completion is one statement (migration 7); what refunds is a transaction. */
  finishVideo(input: FinishVideoInput): Promise<FinishVideoResult> {
    const { finish, lease } = input;
    if (finish.status === 'completed' && lease) {
      return this.runner.statement((q) =>
        videos.completeLeasedVideo(q, { ...input, finish, lease }),
      );
    }
    return this.tx((q) => videos.finishVideo(q, input));
  }

  createPayment(input: CreatePaymentInput): Promise<PaymentRecord> {
    return this.tx((q) => payments.createPayment(q, input));
  }

  attachPaymentIntent(input: AttachPaymentIntentInput): Promise<void> {
    return this.tx((q) => payments.attachPaymentIntent(q, input));
  }

  findPayment(input: FindPaymentInput): Promise<PaymentRecord | null> {
    return this.run((q) => payments.paymentBy(q, 'id', input.id));
  }

  findPaymentByIntent(input: FindPaymentByIntentInput): Promise<PaymentRecord | null> {
    return this.run((q) =>
      payments.paymentBy(q, 'stripe_payment_intent_id', input.paymentIntentId),
    );
  }

  listPayments(input: ListPaymentsInput): Promise<PageResult<PaymentRecord>> {
    return this.run((q) => payments.listPayments(q, input));
  }

  updatePayment(input: UpdatePaymentInput): Promise<PaymentUpdateResult> {
    return this.tx((q) => payments.updatePayment(q, input));
  }

  recordStripeEvent(input: RecordStripeEventInput): Promise<boolean> {
    return this.tx((q) => payments.recordStripeEvent(q, input));
  }

  pruneStripeEvents(input: PruneStripeEventsInput): Promise<number> {
    return this.tx((q) => payments.pruneStripeEvents(q, input));
  }

  verifyInvariants(options: { userId?: string; maxListed?: number; strictRoles?: boolean } = {}) {
    return this.run(() => checkPgInvariants(this.pool, options));
  }

  /**
   * Counters shared by every instance, in the UNLOGGED `rate_limits` table (no WAL, no fsync:
   * a crash forgets some counts, which is fine for limits). While the database is away the
   * in-memory insurance limiter decides, so an outage does not turn into "no limits".
   */
  readonly rateLimiter: LimiterFactory = (options) =>
    new RateLimiterPostgres({
      ...options,
      storeClient: this.pool,
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });

  exclusively<T>(input: ExclusivelyInput<T>): Promise<T | null> {
    return this.runner.exclusively(input.name, input.run);
  }

  listenVideoEvents(listener: VideoEventListener): Promise<() => Promise<void>> {
    return listenVideoEvents(this.connectionString, listener);
  }

  observeDriverErrors(listener: (kind: DriverErrorKind) => void): void {
    this.runner.observe(listener);
  }

  /** A real write needing a writable, reachable primary (a read-only server refuses it). */
  probeWrite(): Promise<void> {
    return this.tx((q) => operations.probeWrite(q));
  }

  operationalGauges(): Promise<OperationalGauges> {
    return this.run((q) => operations.operationalGauges(q));
  }
}
