import type {
  AccountTokenPurpose,
  ChargeVideoResult,
  ClaimedMail,
  MailDraft,
  NewAccountToken,
  TokenUse,
  IdempotencyBegin,
  LedgerEntry,
  NewSession,
  Page,
  PageResult,
  PackageRecord,
  PaymentRecord,
  PaymentUpdateResult,
  DriverErrorKind,
  OperationalGauges,
  Store,
  TransactionFilter,
  UserRecord,
  VideoFinish,
  VideoRecord,
  ClaimVideoInput,
  RenewVideoLeaseInput,
  VideoLease,
  ReapLeasesInput,
  ReapedVideo,
  FinishVideoInput,
  FinishVideoResult,
  DeleteVideoResult,
  SpendSummaryRows,
  VideoListFilter,
  LimiterFactory,
} from '../types.ts';
import { cancelRefundCredits } from '@app/shared';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { applyEntry, LedgerRejected } from './ledger.ts';
import { driverErrorKind, translateDriverError } from './errors.ts';
import { GroupCommit } from './group-commit.ts';
import { killAfterLedgerCommits } from './kill-after-commit.ts';
import { statement } from './statements.ts';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';
import { checkInvariants, type InvariantOptions } from './invariants.ts';
import { nextUserSeq, seekPage } from './user-seq.ts';
import { migrate, openDatabase, seedPackages, type Db, type OpenOptions } from './open.ts';
import { entryFromRow, packageFromRow, paymentFromRow, userFromRow, videoFromRow } from './rows.ts';
import * as accounts from './accounts.ts';
import * as outbox from './outbox.ts';
import * as library from './video-library.ts';
import { SqliteAdminStore } from './admin.ts';

type Row = Record<string, unknown>;

const PAYMENT_COLUMNS: Record<string, string> = {
  status: 'status',
  credited: 'credited',
  amountReceivedCents: 'amount_received_cents',
  amountRefundedCents: 'amount_refunded_cents',
  creditsClawedBack: 'credits_clawed_back',
  disputeId: 'dispute_id',
  disputeStatus: 'dispute_status',
  failureMessage: 'failure_message',
  anomaly: 'anomaly',
  cardBrand: 'card_brand',
  cardLast4: 'card_last4',
  stripeReceiptUrl: 'stripe_receipt_url',
};

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
  return new SqliteStore(db, checkpointer, afterCommit);
}

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
    afterCommit?: () => void,
  ) {
    this.writes = new GroupCommit(db, this.translate, afterCommit);
    this.admin = new SqliteAdminStore(db, (fn) => this.tx(fn));
  }

  /** What this connection actually runs with (PRAGMA synchronous is per connection). */
  durability(): { journalMode: string; synchronous: number } {
    return {
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.db.pragma('synchronous', { simple: true }) as number,
    };
  }

  /** A prepared statement, compiled once per SQL text (see statements.ts). */
  private stmt(sql: string, pluck = false) {
    return statement(this.db, sql, { pluck });
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
    this.writes.flush();
    await this.checkpointer?.stop();
    return this.run(() => {
      if (this.db.open) this.db.close();
    });
  }

  createUser(input: {
    id: string;
    email: string;
    name: string;
    passwordHash: string;
    signupBonus: number;
    now: string;
  }): Promise<UserRecord | 'email_taken'> {
    return this.tx(() => {
      const inserted = this.stmt(
        `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
      ).run(input.id, input.email, input.name, input.passwordHash, input.now, input.now);
      if (inserted.changes === 0) return 'email_taken' as const;
      if (input.signupBonus > 0) {
        applyEntry(
          this.db,
          input.id,
          {
            type: 'bonus',
            amount: input.signupBonus,
            referenceType: 'signup',
            referenceId: input.id,
            description: 'Welcome bonus',
          },
          input.now,
        );
      }
      return userFromRow(this.stmt('SELECT * FROM users WHERE id = ?').get(input.id) as Row);
    });
  }

  findUserByEmail(email: string): Promise<UserRecord | null> {
    return this.run(() => {
      const row = this.stmt('SELECT * FROM users WHERE email = ?').get(email) as Row | undefined;
      return row ? userFromRow(row) : null;
    });
  }

  findUserById(id: string): Promise<UserRecord | null> {
    return this.run(() => {
      const row = this.stmt('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
      return row ? userFromRow(row) : null;
    });
  }

  createAccount(
    input: Parameters<Store['createAccount']>[0],
  ): Promise<{ user: UserRecord; bonusGranted: boolean } | 'email_taken'> {
    return this.tx(() => accounts.createAccount(this.db, input));
  }

  issueAccountToken(input: {
    userId: string;
    token: NewAccountToken;
    now: string;
    mail: MailDraft[];
  }): Promise<void> {
    return this.tx(() => accounts.issueAccountToken(this.db, input));
  }

  requestPasswordReset(input: Parameters<Store['requestPasswordReset']>[0]): Promise<boolean> {
    return this.tx(() => accounts.requestPasswordReset(this.db, input));
  }

  findAccountToken(input: {
    tokenHash: string;
    purpose: AccountTokenPurpose;
    now: string;
  }): Promise<TokenUse<{ user: UserRecord; email: string }>> {
    return this.run(() =>
      accounts.findAccountToken(this.db, input.tokenHash, input.purpose, input.now),
    );
  }

  useVerificationToken(input: { tokenHash: string; now: string }): Promise<TokenUse<UserRecord>> {
    return this.tx(() => accounts.useVerificationToken(this.db, input.tokenHash, input.now));
  }

  useResetToken(input: {
    tokenHash: string;
    userId: string;
    passwordHash: string;
    now: string;
  }): Promise<TokenUse<UserRecord>> {
    return this.tx(() => accounts.useResetToken(this.db, input));
  }

  useEmailChangeToken(input: { tokenHash: string; now: string }): Promise<TokenUse<UserRecord>> {
    return this.tx(() => accounts.useEmailChangeToken(this.db, input.tokenHash, input.now));
  }

  setNotificationSettings(input: {
    userId: string;
    refundNotice: boolean;
    lowBalance: boolean;
    now: string;
  }): Promise<UserRecord | null> {
    return this.tx(() => accounts.setNotificationSettings(this.db, input));
  }

  deleteAccount(input: { userId: string; now: string }) {
    return this.tx(() => accounts.deleteAccount(this.db, input));
  }

  claimMail(input: { now: string; leaseUntil: string }): Promise<ClaimedMail | null> {
    return this.tx(() => outbox.claimMail(this.db, input.now, input.leaseUntil));
  }

  markMailSent(input: { id: number; now: string }): Promise<void> {
    return this.tx(() => outbox.markMailSent(this.db, input.id, input.now));
  }

  pruneFinishedMail(input: { createdBefore: string; limit: number }): Promise<number> {
    return this.tx(() => outbox.pruneFinishedMail(this.db, input.createdBefore, input.limit));
  }

  markMailFailed(input: Parameters<Store['markMailFailed']>[0]): Promise<void> {
    return this.tx(() => outbox.markMailFailed(this.db, input));
  }

  createSession(input: NewSession): Promise<void> {
    return this.tx(() => {
      this.insertSession(input);
    });
  }

  isSessionActive(sessionId: string, userId: string): Promise<boolean> {
    // Joined with users: a token of an account that no longer exists, or that an admin
    // disabled, is refused as well.
    return this.run(
      () =>
        this.stmt(
          `SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL
               AND u.disabled_at IS NULL`,
          true,
        ).get(sessionId, userId) !== undefined,
    );
  }

  revokeSession(input: { id: string; userId: string; now: string }): Promise<boolean> {
    return this.tx(
      () =>
        this.stmt(
          'UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
        ).run(input.now, input.id, input.userId).changes > 0,
    );
  }

  revokeUserSessions(input: { userId: string; now: string }): Promise<number> {
    return this.tx(() => this.revokeAllOf(input.userId, input.now));
  }

  changePassword(input: {
    userId: string;
    passwordHash: string;
    now: string;
    session: NewSession;
  }): Promise<UserRecord | null> {
    return this.tx(() => {
      const updated = this.stmt(
        'UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?',
      ).run(input.passwordHash, input.now, input.userId);
      if (updated.changes === 0) return null;
      this.revokeAllOf(input.userId, input.now);
      this.insertSession(input.session);
      return userFromRow(this.stmt('SELECT * FROM users WHERE id = ?').get(input.userId) as Row);
    });
  }

  pruneSessions(input: { expiredBefore: string; limit: number }): Promise<number> {
    return this.tx(
      () =>
        this.stmt(
          `DELETE FROM sessions WHERE id IN (
             SELECT id FROM sessions WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
        ).run(input.expiredBefore, input.limit).changes,
    );
  }

  private insertSession(session: NewSession) {
    this.stmt('INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
      session.id,
      session.userId,
      session.createdAt,
      session.expiresAt,
    );
  }

  private revokeAllOf(userId: string, now: string): number {
    return this.stmt(
      'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
    ).run(now, userId).changes;
  }

  getBalance(userId: string) {
    return this.run(() => {
      const row = this.stmt(
        'SELECT credit_balance, total_credits_purchased FROM users WHERE id = ?',
      ).get(userId) as { credit_balance: number; total_credits_purchased: number } | undefined;
      return row
        ? { creditBalance: row.credit_balance, totalCreditsPurchased: row.total_credits_purchased }
        : null;
    });
  }

  listTransactions(
    userId: string,
    filter: TransactionFilter,
    page: Page,
  ): Promise<PageResult<LedgerEntry>> {
    return this.run(() => {
      if (!filter.type && !filter.from && !filter.to) {
        const { rows, total } = seekPage(this.db, 'transactions', userId, page);
        return { rows: rows.map(entryFromRow), total };
      }
      // Filtered lists count and skip the matching rows: their cost grows with the user's
      // matching history (the unfiltered list, the one every page load asks for, does not).
      const where = ['user_id = @userId'];
      if (filter.type) where.push('type = @type');
      if (filter.from) where.push('created_at >= @from');
      if (filter.to) where.push('created_at <= @to');
      const params = { userId, ...filter, limit: page.limit, offset: page.offset };
      const clause = where.join(' AND ');
      const total = this.stmt(`SELECT COUNT(*) FROM transactions WHERE ${clause}`, true).get(
        params,
      ) as number;
      const rows = this.stmt(
        `SELECT * FROM transactions WHERE ${clause} ORDER BY user_seq DESC LIMIT @limit OFFSET @offset`,
      ).all(params) as Row[];
      return { rows: rows.map(entryFromRow), total };
    });
  }

  listTransactionsBefore(
    userId: string,
    filter: TransactionFilter,
    batch: { beforeId?: number; limit: number },
  ): Promise<LedgerEntry[]> {
    return this.run(() => {
      const where = ['user_id = @userId'];
      if (batch.beforeId !== undefined) where.push('id < @beforeId');
      if (filter.type) where.push('type = @type');
      // Unary + keeps the planner on the (user_id, id) index, already in batch order: a date
      // index would make every batch sort the whole date range to find its next rows.
      if (filter.from) where.push('+created_at >= @from');
      if (filter.to) where.push('+created_at <= @to');
      // Keyset, not OFFSET: each batch starts where the last one ended.
      const rows = this.stmt(
        `SELECT * FROM transactions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`,
      ).all({ userId, ...filter, beforeId: batch.beforeId, limit: batch.limit }) as Row[];
      return rows.map(entryFromRow);
    });
  }

  listActivePackages(): Promise<PackageRecord[]> {
    return this.run(() =>
      (this.stmt('SELECT * FROM credit_packages WHERE active = 1 ORDER BY id').all() as Row[]).map(
        packageFromRow,
      ),
    );
  }

  findPackage(id: number): Promise<PackageRecord | null> {
    return this.run(() => {
      const row = this.stmt('SELECT * FROM credit_packages WHERE id = ?').get(id) as
        Row | undefined;
      return row ? packageFromRow(row) : null;
    });
  }

  beginIdempotentRequest(input: {
    userId: string;
    scope: string;
    key: string;
    requestHash: string;
    now: string;
    staleBefore: string;
  }): Promise<IdempotencyBegin> {
    return this.tx((): IdempotencyBegin => {
      const row = this.idempotencyRecord(input.userId, input.scope, input.key);
      if (row) {
        if (row.request_hash !== input.requestHash) return { state: 'mismatch' };
        if (row.state === 'completed') {
          return {
            state: 'completed',
            status: row.response_status as number,
            body: row.response_body as string,
          };
        }
        // An in-progress record left by a crashed process must not block the key forever.
        if ((row.updated_at as string) >= input.staleBefore) return { state: 'in_progress' };
        this.stmt(
          'UPDATE idempotency_keys SET updated_at = ? WHERE user_id = ? AND scope = ? AND key = ?',
        ).run(input.now, input.userId, input.scope, input.key);
        return { state: 'started' };
      }
      this.stmt(
        `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'in_progress', ?, ?)`,
      ).run(input.userId, input.scope, input.key, input.requestHash, input.now, input.now);
      return { state: 'started' };
    });
  }

  completeIdempotentRequest(input: {
    userId: string;
    scope: string;
    key: string;
    status: number;
    body: string;
    now: string;
  }): Promise<void> {
    return this.tx(() => {
      this.stmt(
        `UPDATE idempotency_keys SET state = 'completed', response_status = ?, response_body = ?,
             updated_at = ? WHERE user_id = ? AND scope = ? AND key = ?`,
      ).run(input.status, input.body, input.now, input.userId, input.scope, input.key);
    });
  }

  releaseIdempotentRequest(input: { userId: string; scope: string; key: string }): Promise<void> {
    return this.tx(() => {
      this.stmt(
        `DELETE FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ? AND state = 'in_progress'`,
      ).run(input.userId, input.scope, input.key);
    });
  }

  pruneIdempotencyRecords(input: { createdBefore: string; limit: number }): Promise<number> {
    return this.tx(
      () =>
        this.stmt(
          `DELETE FROM idempotency_keys WHERE rowid IN (
             SELECT rowid FROM idempotency_keys
             WHERE created_at < ? AND state = 'completed' ORDER BY created_at LIMIT ?)`,
        ).run(input.createdBefore, input.limit).changes,
    );
  }

  chargeAndCreateVideo(
    input: Parameters<Store['chargeAndCreateVideo']>[0],
  ): Promise<ChargeVideoResult> {
    const v = input.video;
    const idem = input.idempotency;
    return this.tx((): ChargeVideoResult => {
      if (idem) {
        const row = this.idempotencyRecord(v.userId, idem.scope, idem.key);
        if (row && row.request_hash !== idem.requestHash) return { kind: 'key_reused' };
        if (row && row.state === 'completed') {
          return {
            kind: 'stored_response',
            status: row.response_status as number,
            body: row.response_body as string,
          };
        }
      }
      const queue = this.stmt(
        `SELECT
           (SELECT COUNT(*) FROM (SELECT 1 FROM video_generations
              WHERE user_id = @userId AND status = 'queued'
              LIMIT @maxQueued)) AS queued,
           (SELECT MAX(fair_round) FROM video_generations
              WHERE user_id = @userId AND ${ACTIVE}) AS userRound,
           (SELECT MAX(fair_round) FROM video_generations
              WHERE ${ACTIVE} AND status = 'processing') AS frontier`,
      ).get({ userId: v.userId, maxQueued: input.maxQueued }) as {
        // Counted only up to the cap: the answer is "at the cap or not", and counting every
        // queued video made each charge cost grow with the user's backlog.
        queued: number;
        userRound: number | null;
        frontier: number | null;
      };
      // Not remembered with the Idempotency-Key: it passes once the queue drains, and a retry
      // with the same key must then go through.
      if (queue.queued >= input.maxQueued) {
        return { kind: 'too_many_queued', queued: queue.queued, limit: input.maxQueued };
      }
      // Start-time fair queueing: a user's next job goes one round after their last active one,
      // but never before the round being rendered now, so waiting does not build up credit.
      const fairRound = Math.max(queue.frontier ?? 0, (queue.userRound ?? 0) + 1);
      const balance = this.balanceOf(v.userId);
      if (balance < 0 || balance < v.creditsUsed) {
        const refused = {
          kind: balance < 0 ? ('owes' as const) : ('insufficient' as const),
          balance,
        };
        if (idem) this.recordResponse(v.userId, idem, idem.respond(refused), v.createdAt);
        return refused;
      }
      const video = videoFromRow(
        this.stmt(
          `INSERT INTO video_generations (id, user_id, idempotency_key, status, prompt, duration_minutes,
             resolution, custom_music, premium_tts, ai_enhancement, credits_used, created_at, updated_at,
             fair_round, user_seq)
           VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${nextUserSeq('video_generations')})
           RETURNING *`,
        ).get(
          v.id,
          v.userId,
          v.idempotencyKey,
          v.prompt,
          v.durationMinutes,
          v.resolution,
          v.customMusic ? 1 : 0,
          v.premiumTTS ? 1 : 0,
          v.aiEnhancement ? 1 : 0,
          v.creditsUsed,
          v.createdAt,
          v.createdAt,
          fairRound,
          v.userId,
        ) as Row,
      );
      try {
        const { balanceAfter } = applyEntry(
          this.db,
          v.userId,
          {
            type: 'usage',
            amount: -v.creditsUsed,
            referenceType: 'video',
            referenceId: v.id,
            description: `Video generation (${v.resolution}, ${v.durationMinutes} min)`,
          },
          v.createdAt,
        );
        outbox.noticeLowBalance(
          this.db,
          { userId: v.userId, before: balance, after: balanceAfter },
          v.createdAt,
        );
        if (idem) {
          const response = idem.respond({ kind: 'created', video, balance: balanceAfter });
          this.recordResponse(v.userId, idem, response, v.createdAt);
        }
        return { kind: 'created', video, balance: balanceAfter };
      } catch (err) {
        if (err instanceof LedgerRejected && err.reason === 'insufficient') {
          // Throwing rolls back the video row as well.
          throw new InsufficientInsideTx(this.balanceOf(v.userId));
        }
        throw err;
      }
    }).catch((err: unknown) => {
      if (err instanceof InsufficientInsideTx)
        return { kind: 'insufficient', balance: err.balance };
      throw err;
    });
  }

  findVideo(id: string): Promise<VideoRecord | null> {
    return this.run(() => {
      const row = this.stmt('SELECT * FROM video_generations WHERE id = ?').get(id) as
        Row | undefined;
      return row ? videoFromRow(row) : null;
    });
  }

  listVideos(
    userId: string,
    filter: VideoListFilter,
    page: Page,
  ): Promise<PageResult<VideoRecord>> {
    return this.run(() => library.listLibraryVideos(this.db, userId, filter, page));
  }

  deleteVideo(input: { id: string; userId: string; now: string }): Promise<DeleteVideoResult> {
    return this.tx(() => library.deleteLibraryVideo(this.db, input));
  }

  videoPrompts(userId: string, ids: string[]): Promise<Map<string, string | null>> {
    return this.run(() => library.videoPromptsOf(this.db, userId, ids));
  }

  spendSummary(input: {
    userId: string;
    from: string;
    tzOffsetMinutes: number;
  }): Promise<SpendSummaryRows> {
    return this.run(() => library.spendSummaryRows(this.db, input));
  }

  claimVideo(input: ClaimVideoInput): Promise<VideoRecord | null> {
    return this.tx(() => {
      // Walks the queue in fair order and stops at the first job whose user is under the
      // running cap. Only users at the cap are skipped, and there are at most as many of them
      // as render slots, each with a bounded queue: the walk is short however long the queue.
      const row = this.stmt(
        `UPDATE video_generations SET status = 'processing', attempts = attempts + 1,
             started_at = COALESCE(started_at, @now), updated_at = @now,
             lease_owner = @owner, lease_until = @leaseUntil
           WHERE id = (
             SELECT q.id FROM video_generations q
             WHERE q.${ACTIVE} AND q.status = 'queued'
               AND (SELECT COUNT(*) FROM video_generations r
                    WHERE r.user_id = q.user_id AND r.status = 'processing')
                   < @maxRunning
             ORDER BY q.fair_round, q.created_at, q.id LIMIT 1)
           RETURNING *`,
      ).get({
        now: input.now,
        maxRunning: input.maxRunningPerUser,
        owner: input.owner,
        leaseUntil: leaseEnd(input.now, input.leaseMs),
      }) as Row | undefined;
      return row ? videoFromRow(row) : null;
    });
  }

  renewVideoLease(input: RenewVideoLeaseInput): Promise<'renewed' | 'lost'> {
    // Outside the group commit, as progress always was: a heartbeat is not worth a COMMIT
    // shared with money writes.
    return this.run(() => {
      const progress =
        input.progress === undefined
          ? null
          : Math.max(0, Math.min(100, Math.round(input.progress)));
      const info = this.stmt(
        `UPDATE video_generations SET lease_until = @leaseUntil, updated_at = @now,
             progress = MAX(progress, COALESCE(@progress, progress))
           WHERE id = @id AND status = 'processing' AND lease_owner = @owner
             AND attempts = @attempt`,
      ).run({
        id: input.id,
        now: input.now,
        progress,
        owner: input.lease.owner,
        attempt: input.lease.attempt,
        leaseUntil: leaseEnd(input.now, input.leaseMs),
      });
      return info.changes > 0 ? 'renewed' : 'lost';
    });
  }

  releaseVideoLease(input: { id: string; lease: VideoLease; now: string }): Promise<boolean> {
    return this.tx(
      () =>
        this.stmt(
          `UPDATE video_generations SET status = 'queued', progress = 0, lease_owner = NULL,
               lease_until = NULL, updated_at = @now
             WHERE id = @id AND status = 'processing' AND lease_owner = @owner
               AND attempts = @attempt`,
        ).run({
          id: input.id,
          now: input.now,
          owner: input.lease.owner,
          attempt: input.lease.attempt,
        }).changes > 0,
    );
  }

  reapExpiredLeases(input: ReapLeasesInput): Promise<ReapedVideo[]> {
    return this.tx(() => {
      // A lease-less processing row was left by a version without leases: expired too.
      const rows = this.stmt(
        `SELECT * FROM video_generations
           WHERE status = 'processing' AND (lease_until IS NULL OR lease_until < ?)
           ORDER BY lease_until LIMIT ?`,
      ).all(input.now, input.limit) as Row[];
      return rows.map((row): ReapedVideo => {
        const video = videoFromRow(row);
        if (video.attempts >= input.maxAttempts) {
          const failed = this.resolveVideo(
            video,
            { status: 'failed', error: 'Rendering failed repeatedly' },
            input.now,
          );
          return { video: failed.video, outcome: 'failed' };
        }
        const requeued = this.stmt(
          `UPDATE video_generations SET status = 'queued', progress = 0, lease_owner = NULL,
               lease_until = NULL, updated_at = ? WHERE id = ? RETURNING *`,
        ).get(input.now, video.id) as Row;
        return { video: videoFromRow(requeued), outcome: 'requeued' };
      });
    });
  }

  listVideosInStatus(statuses: VideoRecord['status'][]): Promise<VideoRecord[]> {
    return this.run(() => {
      const marks = statuses.map(() => '?').join(', ');
      const active = statuses.every((x) => x === 'queued' || x === 'processing');
      return (
        this.stmt(
          `SELECT * FROM video_generations WHERE ${active ? `${ACTIVE} AND ` : ''}status IN (${marks})
             ORDER BY created_at`,
        ).all(...statuses) as Row[]
      ).map(videoFromRow);
    });
  }

  finishVideo(input: FinishVideoInput): Promise<FinishVideoResult> {
    return this.tx(() => {
      const current = this.videoById(input.id);
      if (input.lease && !this.holdsLease(input.id, input.lease)) {
        return { video: current, changed: false, balance: this.balanceOf(current.userId) };
      }
      return this.resolveVideo(current, input.finish, input.now);
    });
  }

  /** Whether the video is still rendering under this lease (its owner and attempt). */
  private holdsLease(id: string, lease: VideoLease): boolean {
    return (
      this.stmt(
        `SELECT 1 FROM video_generations
           WHERE id = ? AND status = 'processing' AND lease_owner = ? AND attempts = ?`,
        true,
      ).get(id, lease.owner, lease.attempt) !== undefined
    );
  }

  private resolveVideo(current: VideoRecord, finish: VideoFinish, now: string): FinishVideoResult {
    const id = current.id;
    if (
      current.status === 'completed' ||
      current.status === 'failed' ||
      current.status === 'canceled'
    ) {
      return { video: current, changed: false, balance: this.balanceOf(current.userId) };
    }
    if (finish.status === 'completed') {
      this.stmt(
        `UPDATE video_generations SET status = 'completed', progress = 100, file_path = ?,
             error = NULL, completed_at = ?, updated_at = ? WHERE id = ?`,
      ).run(finish.filePath, now, now, id);
      return {
        video: this.videoById(id),
        changed: true,
        balance: this.balanceOf(current.userId),
      };
    }
    // A cancel is priced from the progress recorded up to now, read in this transaction.
    const refund =
      finish.status === 'canceled'
        ? cancelRefundCredits({
            status: current.status,
            creditsUsed: current.creditsUsed,
            progress: current.progress,
          })
        : current.creditsUsed;
    this.stmt(
      `UPDATE video_generations SET status = ?, error = ?, credits_refunded = ?,
           completed_at = ?, updated_at = ? WHERE id = ?`,
    ).run(finish.status, finish.error, refund, now, now, id);
    // The ledger refuses zero amounts: a render canceled at 100 % refunds nothing.
    const balance =
      refund === 0
        ? this.balanceOf(current.userId)
        : applyEntry(
            this.db,
            current.userId,
            {
              type: 'refund',
              amount: refund,
              referenceType: 'video',
              referenceId: id,
              description: refundDescription(finish.status, current, refund),
            },
            now,
          ).balanceAfter;
    if (refund > 0) {
      outbox.noticeVideoRefund(
        this.db,
        { userId: current.userId, videoId: id, credits: refund, reason: finish.status },
        now,
      );
    }
    return { video: this.videoById(id), changed: true, balance };
  }

  createPayment(input: {
    id: string;
    userId: string;
    pkg: PackageRecord;
    now: string;
  }): Promise<PaymentRecord> {
    const { pkg } = input;
    return this.tx(() => {
      this.stmt(
        `INSERT INTO payments (id, user_id, package_id, package_name, amount_cents, currency, credits,
             status, created_at, updated_at, user_seq)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ${nextUserSeq('payments')})`,
      ).run(
        input.id,
        input.userId,
        pkg.id,
        pkg.name,
        pkg.priceCents,
        pkg.currency,
        pkg.credits + pkg.bonusCredits,
        input.now,
        input.now,
        input.userId,
      );
      return this.paymentBy('id', input.id)!;
    });
  }

  attachPaymentIntent(paymentId: string, paymentIntentId: string, now: string): Promise<void> {
    return this.tx(() => {
      this.stmt(
        `UPDATE payments SET stripe_payment_intent_id = ?, updated_at = ?
           WHERE id = ? AND (stripe_payment_intent_id IS NULL OR stripe_payment_intent_id = ?)`,
      ).run(paymentIntentId, now, paymentId, paymentIntentId);
    });
  }

  findPayment(id: string): Promise<PaymentRecord | null> {
    return this.run(() => this.paymentBy('id', id));
  }

  findPaymentByIntent(paymentIntentId: string): Promise<PaymentRecord | null> {
    return this.run(() => this.paymentBy('stripe_payment_intent_id', paymentIntentId));
  }

  listPayments(userId: string, page: Page): Promise<PageResult<PaymentRecord>> {
    return this.run(() => {
      const { rows, total } = seekPage(this.db, 'payments', userId, page);
      return { rows: rows.map(paymentFromRow), total };
    });
  }

  updatePayment(input: Parameters<Store['updatePayment']>[0]): Promise<PaymentUpdateResult> {
    return this.tx((): PaymentUpdateResult => {
      const payment = this.paymentBy('stripe_payment_intent_id', input.paymentIntentId);
      if (input.event) {
        const seen = this.stmt('SELECT 1 FROM stripe_events WHERE id = ?').get(input.event.id);
        if (seen) return { kind: 'duplicate_event' };
      }
      if (!payment) {
        if (input.event) {
          this.insertEvent(input.event.id, input.event.type, null, 'unknown_payment', input.now);
        }
        return { kind: 'unknown_payment' };
      }
      const decision = input.decide(payment);
      let balance = this.balanceOf(payment.userId);
      for (const entry of decision.entries) {
        const before = balance;
        balance = applyEntry(this.db, payment.userId, entry, input.now).balanceAfter;
        outbox.noticeLowBalance(
          this.db,
          { userId: payment.userId, before, after: balance },
          input.now,
        );
      }
      for (const draft of decision.mail ?? []) outbox.enqueueMail(this.db, draft, input.now);
      const sets: string[] = [];
      const values: Record<string, unknown> = { id: payment.id, now: input.now };
      // When the credits were added: the receipt's date.
      if (decision.patch.credited === true && !payment.credited) sets.push('credited_at = @now');
      for (const [field, value] of Object.entries(decision.patch)) {
        const column = PAYMENT_COLUMNS[field];
        if (!column) throw new Error(`unknown payment field ${field}`);
        sets.push(`${column} = @${field}`);
        values[field] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      }
      if (sets.length > 0) {
        this.stmt(`UPDATE payments SET ${sets.join(', ')}, updated_at = @now WHERE id = @id`).run(
          values,
        );
      }
      if (input.event) {
        this.insertEvent(input.event.id, input.event.type, payment.id, decision.outcome, input.now);
      }
      return {
        kind: 'applied',
        payment: this.paymentBy('id', payment.id)!,
        balance,
        outcome: decision.outcome,
      };
    });
  }

  recordStripeEvent(input: {
    id: string;
    type: string;
    outcome: string;
    now: string;
  }): Promise<boolean> {
    return this.tx(() => {
      const info = this.stmt(
        `INSERT INTO stripe_events (id, type, payment_id, outcome, received_at) VALUES (?, ?, NULL, ?, ?)
           ON CONFLICT (id) DO NOTHING`,
      ).run(input.id, input.type, input.outcome, input.now);
      return info.changes > 0;
    });
  }

  /** Every invariant over the whole database, or over one user's rows (`ledger:verify --user`). */
  pruneStripeEvents(input: { receivedBefore: string; limit: number }): Promise<number> {
    return this.tx(
      () =>
        this.stmt(
          `DELETE FROM stripe_events WHERE rowid IN (
             SELECT rowid FROM stripe_events WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
        ).run(input.receivedBefore, input.limit).changes,
    );
  }

  verifyInvariants(options: InvariantOptions = {}) {
    return this.run(() => checkInvariants(this.db, options));
  }

  /** One process: the counters live in its memory. */
  readonly rateLimiter: LimiterFactory = (options) => new RateLimiterMemory(options);

  /** One process: the caller's own scheduling keeps a job from overlapping itself. */
  exclusively<T>(_name: string, fn: () => Promise<T>): Promise<T | null> {
    return fn();
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
    return this.tx(() => {
      const version = this.db.pragma('user_version', { simple: true }) as number;
      this.db.pragma(`user_version = ${Math.trunc(version)}`);
    });
  }

  operationalGauges(): Promise<OperationalGauges> {
    return this.run(() => {
      // Both partial indexes cover exactly the active videos and the unsent mails.
      const videos = this.stmt(
        `SELECT status, COUNT(*) AS n FROM video_generations
           WHERE status IN ('queued', 'processing') GROUP BY status`,
      ).all() as { status: string; n: number }[];
      const mailBacklog = this.stmt(
        `SELECT COUNT(*) FROM mail_outbox WHERE state IN ('pending', 'sending')`,
        true,
      ).get() as number;
      return {
        videosQueued: videos.find((v) => v.status === 'queued')?.n ?? 0,
        videosProcessing: videos.find((v) => v.status === 'processing')?.n ?? 0,
        mailBacklog,
      };
    });
  }

  private insertEvent(
    id: string,
    type: string,
    paymentId: string | null,
    outcome: string,
    now: string,
  ) {
    this.stmt(
      'INSERT INTO stripe_events (id, type, payment_id, outcome, received_at) VALUES (?, ?, ?, ?, ?)',
    ).run(id, type, paymentId, outcome, now);
  }

  private recordResponse(
    userId: string,
    idem: { scope: string; key: string; requestHash: string },
    response: { status: number; body: string },
    now: string,
  ) {
    this.stmt(
      `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, response_status,
         response_body, created_at, updated_at) VALUES (?, ?, ?, ?, 'completed', ?, ?, ?, ?)`,
    ).run(userId, idem.scope, idem.key, idem.requestHash, response.status, response.body, now, now);
  }

  /** The one lookup of a key's record, for the generic middleware and the charge alike. */
  private idempotencyRecord(userId: string, scope: string, key: string): Row | undefined {
    return this.stmt(
      'SELECT * FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ?',
    ).get(userId, scope, key) as Row | undefined;
  }

  private paymentBy(
    column: 'id' | 'stripe_payment_intent_id',
    value: string,
  ): PaymentRecord | null {
    const row = this.stmt(`SELECT * FROM payments WHERE ${column} = ?`).get(value) as
      Row | undefined;
    return row ? paymentFromRow(row) : null;
  }

  private videoById(id: string): VideoRecord {
    return videoFromRow(this.stmt('SELECT * FROM video_generations WHERE id = ?').get(id) as Row);
  }

  private balanceOf(userId: string): number {
    return this.stmt('SELECT credit_balance FROM users WHERE id = ?', true).get(userId) as number;
  }
}

/**
 * Active jobs (waiting or rendering). The partial indexes of migration 5 cover exactly these
 * rows, and SQLite only uses a partial index when the query repeats its WHERE term.
 */
const ACTIVE = "status IN ('queued', 'processing')";

const leaseEnd = (now: string, leaseMs: number) =>
  new Date(Date.parse(now) + leaseMs).toISOString();

function refundDescription(
  status: 'failed' | 'canceled',
  video: VideoRecord,
  refund: number,
): string {
  if (status === 'failed') return 'Refund: video generation failed';
  if (refund === video.creditsUsed) return 'Refund: video canceled';
  return `Refund: video canceled at ${video.progress}% (${refund} of ${video.creditsUsed} credits)`;
}

class InsufficientInsideTx extends Error {
  constructor(readonly balance: number) {
    super('insufficient');
  }
}
