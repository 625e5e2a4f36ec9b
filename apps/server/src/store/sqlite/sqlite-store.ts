import type {
  AttachPaymentIntentInput,
  Balance,
  BeginIdempotentRequestInput,
  ChangePasswordInput,
  ChargeVideoInput,
  ChargeVideoResult,
  ClaimedMail,
  ClaimMailInput,
  ClaimVideoInput,
  CompleteIdempotentRequestInput,
  CreateAccountInput,
  CreateAccountResult,
  CreatePaymentInput,
  CreateUserInput,
  DeleteAccountInput,
  DeleteAccountResult,
  DeleteVideoInput,
  DeleteVideoResult,
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
  SpendSummaryRows,
  Store,
  TokenUse,
  UpdatePaymentInput,
  UseResetTokenInput,
  UserRecord,
  UseTokenInput,
  VideoPromptsInput,
  VideoRecord,
} from '../types.ts';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { driverErrorKind, translateDriverError } from './errors.ts';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
import { walSyncFor, type WalFlusher } from './wal-sync.ts';
import { killAfterLedgerCommits } from './kill-after-commit.ts';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';
import { checkInvariants, type InvariantOptions } from './invariants.ts';
import { migrate, openDatabase, seedPackages, type Db, type OpenOptions } from './open.ts';
import * as accounts from './accounts.ts';
import * as outbox from './outbox.ts';
import * as library from './video-library.ts';
import * as charge from './charge-video.ts';
import * as idempotency from './idempotency.ts';
import * as ledger from './ledger-queries.ts';
import * as operations from './operations.ts';
import * as packages from './packages.ts';
import * as payments from './payments.ts';
import * as sessions from './sessions.ts';
import * as users from './users.ts';
import * as videos from './videos.ts';
import { SqliteAdminStore } from './admin.ts';

export function openSqliteStore(file: string, options: OpenOptions = {}): SqliteStore {
  const db = openDatabase(file, options);
  migrate(db);
  seedPackages(db);
  const checkpointer =
    file === ':memory:' || options.readonly ? undefined : startCheckpointer(file);
  const afterCommit =
    options.testKillAfterLedgerCommits === undefined
      ? undefined
      : killAfterLedgerCommits(db, options.testKillAfterLedgerCommits);
  const flushesWal = options.synchronous === 'durable' && file !== ':memory:' && !options.readonly;
  return new SqliteStore(db, checkpointer, {
    afterCommit,
    syncWal: flushesWal ? walSyncFor(file) : undefined,
  });
}

/**
 * The composition: each aggregate's SQL lives in its own module (users.ts, ledger-queries.ts,
 * videos.ts, payments.ts, ...), each function running inside the caller's transaction; this
 * class decides which transaction (a group-commit write or a plain read) and translates the
 * driver's errors.
 */
export class SqliteStore implements Store {
  private readonly writes: GroupCommit;
  readonly admin: SqliteAdminStore;
  private driverErrorListener: ((kind: DriverErrorKind) => void) | undefined;
  /** Counted (metrics) on the way to its typed error. */
  private readonly translate = (err: unknown): unknown => {
    const kind = driverErrorKind(err);
    if (kind) this.driverErrorListener?.(kind);
    return translateDriverError(err);
  };

  constructor(
    readonly db: Db,
    private readonly checkpointer?: Checkpointer,
    private readonly commitOptions: GroupCommitOptions & { syncWal?: WalFlusher } = {},
  ) {
    this.writes = new GroupCommit(db, this.translate, {
      ...commitOptions,
      onSyncFailure: (error) => {
        this.driverErrorListener?.(
          (error as NodeJS.ErrnoException).code === 'ENOSPC' ? 'full' : 'unavailable',
        );
        console.error(`sqlite: flushing the WAL failed, writes refused until restart: ${error}`);
      },
    });
    this.admin = new SqliteAdminStore(db, (fn) => this.tx(fn));
  }

  /**
   * What this connection actually runs with (PRAGMA synchronous is per connection), and whether
   * group commit flushes the WAL before acknowledging (`durable`).
   */
  durability(): { journalMode: string; synchronous: number; walFlushBeforeAck: boolean } {
    return {
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.db.pragma('synchronous', { simple: true }) as number,
      walFlushBeforeAck: this.commitOptions.syncWal !== undefined,
    };
  }

  /** Every operation is synchronous inside; the async surface is for other adapters. */
  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(this.translate(err));
    }
  }

  /** A write transaction; it commits together with the others of this event-loop turn. */
  private tx<T>(fn: () => T): Promise<T> {
    return this.writes.run(fn);
  }

  async close(): Promise<void> {
    await this.writes.drain();
    this.commitOptions.syncWal?.close();
    await this.checkpointer?.stop();
    return this.run(() => {
      if (this.db.open) this.db.close();
    });
  }

  createUser(input: CreateUserInput): Promise<UserRecord | 'email_taken'> {
    return this.tx(() => users.createUser(this.db, input));
  }

  findUserByEmail(input: FindUserByEmailInput): Promise<UserRecord | null> {
    return this.run(() => users.findUserByEmail(this.db, input));
  }

  findUserById(input: FindUserByIdInput): Promise<UserRecord | null> {
    return this.run(() => users.findUserById(this.db, input));
  }

  createAccount(input: CreateAccountInput): Promise<CreateAccountResult> {
    return this.tx(() => accounts.createAccount(this.db, input));
  }

  issueAccountToken(input: IssueAccountTokenInput): Promise<void> {
    return this.tx(() => accounts.issueAccountToken(this.db, input));
  }

  requestPasswordReset(input: RequestPasswordResetInput): Promise<boolean> {
    return this.tx(() => accounts.requestPasswordReset(this.db, input));
  }

  findAccountToken(
    input: FindAccountTokenInput,
  ): Promise<TokenUse<{ user: UserRecord; email: string }>> {
    return this.run(() =>
      accounts.findAccountToken(this.db, input.tokenHash, input.purpose, input.now),
    );
  }

  useVerificationToken(input: UseTokenInput): Promise<TokenUse<UserRecord>> {
    return this.tx(() => accounts.useVerificationToken(this.db, input.tokenHash, input.now));
  }

  useResetToken(input: UseResetTokenInput): Promise<TokenUse<UserRecord>> {
    return this.tx(() => accounts.useResetToken(this.db, input));
  }

  useEmailChangeToken(input: UseTokenInput): Promise<TokenUse<UserRecord>> {
    return this.tx(() => accounts.useEmailChangeToken(this.db, input.tokenHash, input.now));
  }

  setNotificationSettings(input: SetNotificationSettingsInput): Promise<UserRecord | null> {
    return this.tx(() => accounts.setNotificationSettings(this.db, input));
  }

  deleteAccount(input: DeleteAccountInput): Promise<DeleteAccountResult | null> {
    return this.tx(() => accounts.deleteAccount(this.db, input));
  }

  claimMail(input: ClaimMailInput): Promise<ClaimedMail | null> {
    return this.tx(() => outbox.claimMail(this.db, input.now, input.leaseUntil));
  }

  markMailSent(input: MarkMailSentInput): Promise<void> {
    return this.tx(() => outbox.markMailSent(this.db, input.id, input.now));
  }

  pruneFinishedMail(input: PruneFinishedMailInput): Promise<number> {
    return this.tx(() => outbox.pruneFinishedMail(this.db, input.createdBefore, input.limit));
  }

  markMailFailed(input: MarkMailFailedInput): Promise<void> {
    return this.tx(() => outbox.markMailFailed(this.db, input));
  }

  createSession(input: NewSession): Promise<void> {
    return this.tx(() => sessions.insertSession(this.db, input));
  }

  isSessionActive(input: IsSessionActiveInput): Promise<boolean> {
    return this.run(() => sessions.isSessionActive(this.db, input));
  }

  revokeSession(input: RevokeSessionInput): Promise<boolean> {
    return this.tx(() => sessions.revokeSession(this.db, input));
  }

  revokeUserSessions(input: RevokeUserSessionsInput): Promise<number> {
    return this.tx(() => sessions.revokeUserSessions(this.db, input));
  }

  changePassword(input: ChangePasswordInput): Promise<UserRecord | null> {
    return this.tx(() => sessions.changePassword(this.db, input));
  }

  pruneSessions(input: PruneSessionsInput): Promise<number> {
    return this.tx(() => sessions.pruneSessions(this.db, input));
  }

  getBalance(input: GetBalanceInput): Promise<Balance | null> {
    return this.run(() => ledger.getBalance(this.db, input));
  }

  listTransactions(input: ListTransactionsInput): Promise<PageResult<LedgerEntry>> {
    return this.run(() => ledger.listTransactions(this.db, input));
  }

  listTransactionsBefore(input: ListTransactionsBeforeInput): Promise<LedgerEntry[]> {
    return this.run(() => ledger.listTransactionsBefore(this.db, input));
  }

  listActivePackages(): Promise<PackageRecord[]> {
    return this.run(() => packages.listActivePackages(this.db));
  }

  findPackage(input: FindPackageInput): Promise<PackageRecord | null> {
    return this.run(() => packages.findPackage(this.db, input));
  }

  beginIdempotentRequest(input: BeginIdempotentRequestInput): Promise<IdempotencyBegin> {
    return this.tx(() => idempotency.beginIdempotentRequest(this.db, input));
  }

  completeIdempotentRequest(input: CompleteIdempotentRequestInput): Promise<void> {
    return this.tx(() => idempotency.completeIdempotentRequest(this.db, input));
  }

  releaseIdempotentRequest(input: ReleaseIdempotentRequestInput): Promise<void> {
    return this.tx(() => idempotency.releaseIdempotentRequest(this.db, input));
  }

  pruneIdempotencyRecords(input: PruneIdempotencyRecordsInput): Promise<number> {
    return this.tx(() => idempotency.pruneIdempotencyRecords(this.db, input));
  }

  chargeAndCreateVideo(input: ChargeVideoInput): Promise<ChargeVideoResult> {
    return this.tx(
      () => charge.callerRefusal(this.db, input) ?? charge.chargeAndCreateVideo(this.db, input),
    ).catch((err: unknown): ChargeVideoResult => {
      if (err instanceof charge.InsufficientInsideTx) {
        return { kind: 'insufficient', balance: err.balance, required: input.video.creditsUsed };
      }
      throw err;
    });
  }

  findVideo(input: FindVideoInput): Promise<VideoRecord | null> {
    return this.run(() => videos.findVideo(this.db, input));
  }

  listVideos(input: ListVideosInput): Promise<PageResult<VideoRecord>> {
    return this.run(() =>
      library.listLibraryVideos(this.db, input.userId, input.filter, input.page),
    );
  }

  deleteVideo(input: DeleteVideoInput): Promise<DeleteVideoResult> {
    return this.tx(() => library.deleteLibraryVideo(this.db, input));
  }

  videoPrompts(input: VideoPromptsInput): Promise<Map<string, string | null>> {
    return this.run(() => library.videoPromptsOf(this.db, input.userId, input.ids));
  }

  spendSummary(input: SpendSummaryInput): Promise<SpendSummaryRows> {
    return this.run(() => library.spendSummaryRows(this.db, input));
  }

  claimVideo(input: ClaimVideoInput): Promise<VideoRecord | null> {
    return this.tx(() => videos.claimVideo(this.db, input));
  }

  renewVideoLease(input: RenewVideoLeaseInput): Promise<'renewed' | 'lost'> {
    // Outside the group commit, as progress always was: a heartbeat is not worth a COMMIT
    // shared with money writes.
    return this.run(() => videos.renewVideoLease(this.db, input));
  }

  releaseVideoLease(input: ReleaseVideoLeaseInput): Promise<boolean> {
    return this.tx(() => videos.releaseVideoLease(this.db, input));
  }

  reapExpiredLeases(input: ReapLeasesInput): Promise<ReapedVideo[]> {
    return this.tx(() => videos.reapExpiredLeases(this.db, input));
  }

  listVideosInStatus(input: ListVideosInStatusInput): Promise<VideoRecord[]> {
    return this.run(() => videos.listVideosInStatus(this.db, input));
  }

  finishVideo(input: FinishVideoInput): Promise<FinishVideoResult> {
    return this.tx(() => videos.finishVideo(this.db, input));
  }

  createPayment(input: CreatePaymentInput): Promise<PaymentRecord> {
    return this.tx(() => payments.createPayment(this.db, input));
  }

  attachPaymentIntent(input: AttachPaymentIntentInput): Promise<void> {
    return this.tx(() => payments.attachPaymentIntent(this.db, input));
  }

  findPayment(input: FindPaymentInput): Promise<PaymentRecord | null> {
    return this.run(() => payments.paymentBy(this.db, 'id', input.id));
  }

  findPaymentByIntent(input: FindPaymentByIntentInput): Promise<PaymentRecord | null> {
    return this.run(() =>
      payments.paymentBy(this.db, 'stripe_payment_intent_id', input.paymentIntentId),
    );
  }

  listPayments(input: ListPaymentsInput): Promise<PageResult<PaymentRecord>> {
    return this.run(() => payments.listPayments(this.db, input));
  }

  updatePayment(input: UpdatePaymentInput): Promise<PaymentUpdateResult> {
    return this.tx(() => payments.updatePayment(this.db, input));
  }

  recordStripeEvent(input: RecordStripeEventInput): Promise<boolean> {
    return this.tx(() => payments.recordStripeEvent(this.db, input));
  }

  pruneStripeEvents(input: PruneStripeEventsInput): Promise<number> {
    return this.tx(() => payments.pruneStripeEvents(this.db, input));
  }

  /** Every invariant over the whole database, or over one user's rows (`ledger:verify --user`). */
  verifyInvariants(options: InvariantOptions = {}) {
    return this.run(() => checkInvariants(this.db, options));
  }

  /** One process: the counters live in its memory. */
  readonly rateLimiter: LimiterFactory = (options) => new RateLimiterMemory(options);

  /** One process: the caller's own scheduling keeps a job from overlapping itself. */
  exclusively<T>(input: ExclusivelyInput<T>): Promise<T | null> {
    return input.run();
  }

  /** One process: every change is already published in-process by the worker. */
  listenVideoEvents(): Promise<() => Promise<void>> {
    return Promise.resolve(() => Promise.resolve());
  }

  observeDriverErrors(listener: (kind: DriverErrorKind) => void): void {
    this.driverErrorListener = listener;
  }

  /**
   * Rewrites the header's user_version with its own value: unused by the schema, yet a real
   * write that needs the write lock, a writable file and a COMMIT through the group commit.
   */
  probeWrite(): Promise<void> {
    return this.tx(() => operations.probeWrite(this.db));
  }

  operationalGauges(): Promise<OperationalGauges> {
    return this.run(() => operations.operationalGauges(this.db));
  }
}
