import { cancelRefundCredits } from '@app/shared';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import type {
  ChargeVideoResult,
  ClaimVideoInput,
  DriverErrorKind,
  FinishVideoInput,
  FinishVideoResult,
  IdempotencyBegin,
  LedgerEntry,
  NewSession,
  OperationalGauges,
  Page,
  PageResult,
  PackageRecord,
  PaymentRecord,
  PaymentUpdateResult,
  ReapLeasesInput,
  ReapedVideo,
  RenewVideoLeaseInput,
  Store,
  TransactionFilter,
  UserRecord,
  VideoFinish,
  VideoLease,
  VideoEventListener,
  VideoRecord,
  LimiterFactory,
} from '../types.ts';
import { listenVideoEvents, QUEUE_CHANNEL, VIDEO_CHANNEL } from './listen.ts';
import {
  entryFromRow,
  packageFromRow,
  paymentFromRow,
  userFromRow,
  videoFromRow,
} from '../sqlite/rows.ts';
import * as accounts from './accounts.ts';
import { PgAdminStore } from './admin.ts';
import { checkPgInvariants } from './invariants.ts';
import { applyEntry, LedgerRejected, lockUser, nextUserSeq, type NumberedTable } from './ledger.ts';
import * as library from './video-library.ts';
import * as outbox from './outbox.ts';
import { createPool, PgRunner, type PgOptions } from './pool.ts';
import type { Q } from './sql.ts';

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

const ACTIVE = "status IN ('queued', 'processing')";
const leaseEnd = (now: string, leaseMs: number) =>
  new Date(Date.parse(now) + leaseMs).toISOString();

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

  constructor(
    readonly pool: pg.Pool,
    private readonly connectionString: string,
  ) {
    this.runner = new PgRunner(pool);
    this.admin = new PgAdminStore(this.runner);
  }

  private run<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    return this.runner.run(fn);
  }

  private tx<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    return this.runner.tx(fn);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  createUser(input: Parameters<Store['createUser']>[0]): Promise<UserRecord | 'email_taken'> {
    return this.tx(async (q) => {
      const inserted = await q.run(
        `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
        [input.id, input.email, input.name, input.passwordHash, input.now, input.now],
      );
      if (inserted === 0) return 'email_taken' as const;
      if (input.signupBonus > 0) {
        await applyEntry(
          q,
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
      return userFromRow((await q.get('SELECT * FROM users WHERE id = ?', [input.id]))!);
    });
  }

  findUserByEmail(email: string): Promise<UserRecord | null> {
    return this.run(async (q) => {
      const row = await q.get('SELECT * FROM users WHERE email = ?', [email]);
      return row ? userFromRow(row) : null;
    });
  }

  findUserById(id: string): Promise<UserRecord | null> {
    return this.run(async (q) => {
      const row = await q.get('SELECT * FROM users WHERE id = ?', [id]);
      return row ? userFromRow(row) : null;
    });
  }

  createAccount(input: Parameters<Store['createAccount']>[0]) {
    return this.tx((q) => accounts.createAccount(q, input));
  }

  issueAccountToken(input: Parameters<Store['issueAccountToken']>[0]): Promise<void> {
    return this.tx((q) => accounts.issueAccountToken(q, input));
  }

  requestPasswordReset(input: Parameters<Store['requestPasswordReset']>[0]): Promise<boolean> {
    return this.tx((q) => accounts.requestPasswordReset(q, input));
  }

  findAccountToken(input: Parameters<Store['findAccountToken']>[0]) {
    return this.run((q) => accounts.findAccountToken(q, input.tokenHash, input.purpose, input.now));
  }

  useVerificationToken(input: { tokenHash: string; now: string }) {
    return this.tx((q) => accounts.useVerificationToken(q, input.tokenHash, input.now));
  }

  useResetToken(input: Parameters<Store['useResetToken']>[0]) {
    return this.tx((q) => accounts.useResetToken(q, input));
  }

  useEmailChangeToken(input: { tokenHash: string; now: string }) {
    return this.tx((q) => accounts.useEmailChangeToken(q, input.tokenHash, input.now));
  }

  setNotificationSettings(input: Parameters<Store['setNotificationSettings']>[0]) {
    return this.tx((q) => accounts.setNotificationSettings(q, input));
  }

  deleteAccount(input: { userId: string; now: string }) {
    return this.tx((q) => accounts.deleteAccount(q, input));
  }

  claimMail(input: { now: string; leaseUntil: string }) {
    return this.tx((q) => outbox.claimMail(q, input.now, input.leaseUntil));
  }

  markMailSent(input: { id: number; now: string }): Promise<void> {
    return this.tx((q) => outbox.markMailSent(q, input.id, input.now));
  }

  markMailFailed(input: Parameters<Store['markMailFailed']>[0]): Promise<void> {
    return this.tx((q) => outbox.markMailFailed(q, input));
  }

  pruneFinishedMail(input: { createdBefore: string; limit: number }): Promise<number> {
    return this.tx((q) =>
      q.run(
        `DELETE FROM mail_outbox WHERE id IN (
           SELECT id FROM mail_outbox
            WHERE state IN ('sent', 'failed', 'canceled') AND created_at < ? LIMIT ?)`,
        [input.createdBefore, input.limit],
      ),
    );
  }

  createSession(input: NewSession): Promise<void> {
    return this.tx(async (q) => {
      await insertSession(q, input);
    });
  }

  isSessionActive(sessionId: string, userId: string): Promise<boolean> {
    return this.run(
      async (q) =>
        (await q.value(
          `SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND u.disabled_at IS NULL`,
          [sessionId, userId],
        )) !== undefined,
    );
  }

  revokeSession(input: { id: string; userId: string; now: string }): Promise<boolean> {
    return this.tx(
      async (q) =>
        (await q.run(
          'UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
          [input.now, input.id, input.userId],
        )) > 0,
    );
  }

  revokeUserSessions(input: { userId: string; now: string }): Promise<number> {
    return this.tx((q) => revokeAllOf(q, input.userId, input.now));
  }

  changePassword(input: Parameters<Store['changePassword']>[0]): Promise<UserRecord | null> {
    return this.tx(async (q) => {
      const updated = await q.run(
        'UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?',
        [input.passwordHash, input.now, input.userId],
      );
      if (updated === 0) return null;
      await revokeAllOf(q, input.userId, input.now);
      await insertSession(q, input.session);
      return userFromRow((await q.get('SELECT * FROM users WHERE id = ?', [input.userId]))!);
    });
  }

  pruneSessions(input: { expiredBefore: string; limit: number }): Promise<number> {
    return this.tx((q) =>
      q.run(
        `DELETE FROM sessions WHERE id IN (
           SELECT id FROM sessions WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
        [input.expiredBefore, input.limit],
      ),
    );
  }

  getBalance(userId: string) {
    return this.run(async (q) => {
      const row = await q.get<{ credit_balance: number; total_credits_purchased: number }>(
        'SELECT credit_balance, total_credits_purchased FROM users WHERE id = ?',
        [userId],
      );
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
    return this.run(async (q) => {
      if (!filter.type && !filter.from && !filter.to) {
        const { rows, total } = await seekPage(q, 'transactions', userId, page);
        return { rows: rows.map(entryFromRow), total };
      }
      const where = ['user_id = @userId'];
      if (filter.type) where.push('type = @type');
      if (filter.from) where.push('created_at >= @from');
      if (filter.to) where.push('created_at <= @to');
      const params = { userId, ...filter, limit: page.limit, offset: page.offset };
      const clause = where.join(' AND ');
      const total = (await q.value<number>(
        `SELECT COUNT(*) FROM transactions WHERE ${clause}`,
        params,
      ))!;
      const rows = await q.all(
        `SELECT * FROM transactions WHERE ${clause} ORDER BY user_seq DESC LIMIT @limit OFFSET @offset`,
        params,
      );
      return { rows: rows.map(entryFromRow), total };
    });
  }

  listTransactionsBefore(
    userId: string,
    filter: TransactionFilter,
    batch: { beforeId?: number; limit: number },
  ): Promise<LedgerEntry[]> {
    return this.run(async (q) => {
      const where = ['user_id = @userId'];
      if (batch.beforeId !== undefined) where.push('id < @beforeId');
      if (filter.type) where.push('type = @type');
      if (filter.from) where.push('created_at >= @from');
      if (filter.to) where.push('created_at <= @to');
      const rows = await q.all(
        `SELECT * FROM transactions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`,
        { userId, ...filter, beforeId: batch.beforeId, limit: batch.limit },
      );
      return rows.map(entryFromRow);
    });
  }

  listActivePackages(): Promise<PackageRecord[]> {
    return this.run(async (q) =>
      (await q.all('SELECT * FROM credit_packages WHERE active = 1 ORDER BY id')).map(
        packageFromRow,
      ),
    );
  }

  findPackage(id: number): Promise<PackageRecord | null> {
    return this.run(async (q) => {
      const row = await q.get('SELECT * FROM credit_packages WHERE id = ?', [id]);
      return row ? packageFromRow(row) : null;
    });
  }

  beginIdempotentRequest(input: Parameters<Store['beginIdempotentRequest']>[0]) {
    return this.tx(async (q): Promise<IdempotencyBegin> => {
      // User first, then the key: two instances with the same key queue here, and the second
      // finds the first one's record instead of failing on the primary key.
      await lockUser(q, input.userId);
      const row = await idempotencyRecord(q, input.userId, input.scope, input.key);
      if (row) {
        if (row.request_hash !== input.requestHash) return { state: 'mismatch' };
        if (row.state === 'completed') {
          return {
            state: 'completed',
            status: row.response_status as number,
            body: row.response_body as string,
          };
        }
        if ((row.updated_at as string) >= input.staleBefore) return { state: 'in_progress' };
        await q.run(
          'UPDATE idempotency_keys SET updated_at = ? WHERE user_id = ? AND scope = ? AND key = ?',
          [input.now, input.userId, input.scope, input.key],
        );
        return { state: 'started' };
      }
      await q.run(
        `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'in_progress', ?, ?)`,
        [input.userId, input.scope, input.key, input.requestHash, input.now, input.now],
      );
      return { state: 'started' };
    });
  }

  completeIdempotentRequest(input: Parameters<Store['completeIdempotentRequest']>[0]) {
    return this.tx(async (q) => {
      await q.run(
        `UPDATE idempotency_keys SET state = 'completed', response_status = ?, response_body = ?,
             updated_at = ? WHERE user_id = ? AND scope = ? AND key = ?`,
        [input.status, input.body, input.now, input.userId, input.scope, input.key],
      );
    });
  }

  releaseIdempotentRequest(input: { userId: string; scope: string; key: string }) {
    return this.tx(async (q) => {
      await q.run(
        `DELETE FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ? AND state = 'in_progress'`,
        [input.userId, input.scope, input.key],
      );
    });
  }

  pruneIdempotencyRecords(input: { createdBefore: string; limit: number }): Promise<number> {
    return this.tx((q) =>
      q.run(
        `DELETE FROM idempotency_keys WHERE (user_id, scope, key) IN (
           SELECT user_id, scope, key FROM idempotency_keys
           WHERE created_at < ? AND state = 'completed' ORDER BY created_at LIMIT ?)`,
        [input.createdBefore, input.limit],
      ),
    );
  }

  chargeAndCreateVideo(
    input: Parameters<Store['chargeAndCreateVideo']>[0],
  ): Promise<ChargeVideoResult> {
    const v = input.video;
    const idem = input.idempotency;
    return this.tx(async (q): Promise<ChargeVideoResult> => {
      const balance = await lockUser(q, v.userId);
      if (balance === undefined) throw new LedgerRejected('no_user');
      if (idem) {
        const row = await idempotencyRecord(q, v.userId, idem.scope, idem.key);
        if (row && row.request_hash !== idem.requestHash) return { kind: 'key_reused' };
        if (row && row.state === 'completed') {
          return {
            kind: 'stored_response',
            status: row.response_status as number,
            body: row.response_body as string,
          };
        }
      }
      const queue = (await q.get<{
        queued: number;
        userRound: number | null;
        frontier: number | null;
      }>(
        `SELECT
           (SELECT COUNT(*) FROM (SELECT 1 FROM video_generations
              WHERE user_id = @userId AND ${ACTIVE} AND status = 'queued'
              LIMIT @maxQueued) AS capped) AS queued,
           (SELECT MAX(fair_round) FROM video_generations
              WHERE user_id = @userId AND ${ACTIVE}) AS "userRound",
           (SELECT MAX(fair_round) FROM video_generations
              WHERE ${ACTIVE} AND status = 'processing') AS frontier`,
        { userId: v.userId, maxQueued: input.maxQueued },
      ))!;
      if (queue.queued >= input.maxQueued) {
        return { kind: 'too_many_queued', queued: queue.queued, limit: input.maxQueued };
      }
      const fairRound = Math.max(queue.frontier ?? 0, (queue.userRound ?? 0) + 1);
      if (balance < 0 || balance < v.creditsUsed) {
        const refused = {
          kind: balance < 0 ? ('owes' as const) : ('insufficient' as const),
          balance,
        };
        if (idem) await recordResponse(q, v.userId, idem, idem.respond(refused), v.createdAt);
        return refused;
      }
      const video = videoFromRow(
        (await q.get(
          `INSERT INTO video_generations (id, user_id, idempotency_key, status, prompt, duration_minutes,
             resolution, custom_music, premium_tts, ai_enhancement, credits_used, created_at, updated_at,
             fair_round, user_seq)
           VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${nextUserSeq('video_generations')})
           RETURNING *`,
          [
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
          ],
        ))!,
      );
      const { balanceAfter } = await applyEntry(
        q,
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
      await outbox.noticeLowBalance(
        q,
        { userId: v.userId, before: balance, after: balanceAfter },
        v.createdAt,
      );
      if (idem) {
        const response = idem.respond({ kind: 'created', video, balance: balanceAfter });
        await recordResponse(q, v.userId, idem, response, v.createdAt);
      }
      // Every instance's idle worker wakes up once this commits.
      await q.run('SELECT pg_notify(?, ?)', [QUEUE_CHANNEL, '']);
      return { kind: 'created', video, balance: balanceAfter };
    });
  }

  findVideo(id: string): Promise<VideoRecord | null> {
    return this.run(async (q) => {
      const row = await q.get('SELECT * FROM video_generations WHERE id = ?', [id]);
      return row ? videoFromRow(row) : null;
    });
  }

  listVideos(...args: Parameters<Store['listVideos']>) {
    return this.run((q) => library.listLibraryVideos(q, ...args));
  }

  deleteVideo(input: Parameters<Store['deleteVideo']>[0]) {
    return this.tx((q) => library.deleteLibraryVideo(q, input));
  }

  videoPrompts(userId: string, ids: string[]) {
    return this.run((q) => library.videoPromptsOf(q, userId, ids));
  }

  spendSummary(input: Parameters<Store['spendSummary']>[0]) {
    return this.run((q) => library.spendSummaryRows(q, input));
  }

  claimVideo(input: ClaimVideoInput): Promise<VideoRecord | null> {
    return this.tx(async (q) => {
      // Claims serialize on one advisory lock: the per-user running cap is counted and then
      // acted on, which at READ COMMITTED two claims could both pass. The job row itself is
      // taken with SKIP LOCKED, so a row a cancel holds is passed over, never waited on.
      await q.run('SELECT pg_advisory_xact_lock(7243002)');
      const row = await q.get(
        `UPDATE video_generations v SET status = 'processing', attempts = v.attempts + 1,
             started_at = COALESCE(v.started_at, @now), updated_at = @now,
             lease_owner = @owner, lease_until = @leaseUntil
           FROM (
             SELECT q.id FROM video_generations q
             WHERE q.${ACTIVE} AND q.status = 'queued'
               AND (SELECT COUNT(*) FROM video_generations r
                    WHERE r.user_id = q.user_id AND r.${ACTIVE} AND r.status = 'processing')
                   < @maxRunning
             ORDER BY q.fair_round, q.created_at, q.id LIMIT 1
             FOR UPDATE SKIP LOCKED) AS next
           WHERE v.id = next.id
           RETURNING v.*`,
        {
          now: input.now,
          maxRunning: input.maxRunningPerUser,
          owner: input.owner,
          leaseUntil: leaseEnd(input.now, input.leaseMs),
        },
      );
      return row ? videoFromRow(row) : null;
    });
  }

  renewVideoLease(input: RenewVideoLeaseInput): Promise<'renewed' | 'lost'> {
    return this.run(async (q) => {
      const progress =
        input.progress === undefined
          ? null
          : Math.max(0, Math.min(100, Math.round(input.progress)));
      const changed = await q.run(
        `UPDATE video_generations SET lease_until = @leaseUntil, updated_at = @now,
             progress = GREATEST(progress, COALESCE(@progress::int, progress))
           WHERE id = @id AND status = 'processing' AND lease_owner = @owner
             AND attempts = @attempt`,
        {
          id: input.id,
          now: input.now,
          progress,
          owner: input.lease.owner,
          attempt: input.lease.attempt,
          leaseUntil: leaseEnd(input.now, input.leaseMs),
        },
      );
      // Progress reaches SSE streams on other instances; a bare heartbeat tells nobody.
      if (changed > 0 && progress !== null) await notifyVideo(q, input.id);
      return changed > 0 ? 'renewed' : 'lost';
    });
  }

  releaseVideoLease(input: { id: string; lease: VideoLease; now: string }): Promise<boolean> {
    return this.tx(async (q) => {
      const changed = await q.run(
        `UPDATE video_generations SET status = 'queued', progress = 0, lease_owner = NULL,
             lease_until = NULL, updated_at = @now
           WHERE id = @id AND status = 'processing' AND lease_owner = @owner
             AND attempts = @attempt`,
        { id: input.id, now: input.now, owner: input.lease.owner, attempt: input.lease.attempt },
      );
      if (changed > 0) await notifyVideo(q, input.id);
      return changed > 0;
    });
  }

  reapExpiredLeases(input: ReapLeasesInput): Promise<ReapedVideo[]> {
    return this.tx(async (q) => {
      const expired = await q.all<{ id: string; user_id: string }>(
        `SELECT id, user_id FROM video_generations
           WHERE status = 'processing' AND (lease_until IS NULL OR lease_until < ?)
           ORDER BY lease_until LIMIT ?`,
        [input.now, input.limit],
      );
      const reaped: ReapedVideo[] = [];
      for (const { id, user_id: userId } of expired) {
        await lockUser(q, userId);
        // Re-read under the lock: the worker may have renewed or finished meanwhile.
        const row = await q.get(
          `SELECT * FROM video_generations WHERE id = ? AND status = 'processing'
             AND (lease_until IS NULL OR lease_until < ?) FOR UPDATE`,
          [id, input.now],
        );
        if (!row) continue;
        const video = videoFromRow(row);
        if (video.attempts >= input.maxAttempts) {
          const failed = await resolveVideo(
            q,
            video,
            { status: 'failed', error: 'Rendering failed repeatedly' },
            input.now,
          );
          reaped.push({ video: failed.video, outcome: 'failed' });
          continue;
        }
        const requeued = await q.get(
          `UPDATE video_generations SET status = 'queued', progress = 0, lease_owner = NULL,
               lease_until = NULL, updated_at = ? WHERE id = ? RETURNING *`,
          [input.now, id],
        );
        await notifyVideo(q, id);
        await q.run('SELECT pg_notify(?, ?)', [QUEUE_CHANNEL, '']);
        reaped.push({ video: videoFromRow(requeued!), outcome: 'requeued' });
      }
      return reaped;
    });
  }

  listVideosInStatus(statuses: VideoRecord['status'][]): Promise<VideoRecord[]> {
    return this.run(async (q) =>
      (
        await q.all('SELECT * FROM video_generations WHERE status = ANY(?) ORDER BY created_at', [
          statuses,
        ])
      ).map(videoFromRow),
    );
  }

  finishVideo(input: FinishVideoInput): Promise<FinishVideoResult> {
    return this.tx(async (q) => {
      const owner = await q.value<string>('SELECT user_id FROM video_generations WHERE id = ?', [
        input.id,
      ]);
      if (owner === undefined) throw new Error(`no video ${input.id}`);
      // Lock order user → video; the video row is then read locked, so a cancel and a
      // result racing each other decide one after the other, and the loser sees the winner's
      // terminal state ("no change") instead of running into the terminal-state trigger.
      await lockUser(q, owner);
      const current = videoFromRow(
        (await q.get('SELECT * FROM video_generations WHERE id = ? FOR UPDATE', [input.id]))!,
      );
      if (input.lease && !(await holdsLease(q, input.id, input.lease))) {
        return { video: current, changed: false, balance: await balanceOf(q, current.userId) };
      }
      return resolveVideo(q, current, input.finish, input.now);
    });
  }

  createPayment(input: {
    id: string;
    userId: string;
    pkg: PackageRecord;
    now: string;
  }): Promise<PaymentRecord> {
    const { pkg } = input;
    return this.tx(async (q) => {
      await lockUser(q, input.userId);
      await q.run(
        `INSERT INTO payments (id, user_id, package_id, package_name, amount_cents, currency, credits,
             status, created_at, updated_at, user_seq)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ${nextUserSeq('payments')})`,
        [
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
        ],
      );
      return (await paymentBy(q, 'id', input.id))!;
    });
  }

  attachPaymentIntent(paymentId: string, paymentIntentId: string, now: string): Promise<void> {
    return this.tx(async (q) => {
      await q.run(
        `UPDATE payments SET stripe_payment_intent_id = ?, updated_at = ?
           WHERE id = ? AND (stripe_payment_intent_id IS NULL OR stripe_payment_intent_id = ?)`,
        [paymentIntentId, now, paymentId, paymentIntentId],
      );
    });
  }

  findPayment(id: string): Promise<PaymentRecord | null> {
    return this.run((q) => paymentBy(q, 'id', id));
  }

  findPaymentByIntent(paymentIntentId: string): Promise<PaymentRecord | null> {
    return this.run((q) => paymentBy(q, 'stripe_payment_intent_id', paymentIntentId));
  }

  listPayments(userId: string, page: Page): Promise<PageResult<PaymentRecord>> {
    return this.run(async (q) => {
      const { rows, total } = await seekPage(q, 'payments', userId, page);
      return { rows: rows.map(paymentFromRow), total };
    });
  }

  updatePayment(input: Parameters<Store['updatePayment']>[0]): Promise<PaymentUpdateResult> {
    return this.tx(async (q): Promise<PaymentUpdateResult> => {
      const owner = await q.value<string>(
        'SELECT user_id FROM payments WHERE stripe_payment_intent_id = ?',
        [input.paymentIntentId],
      );
      // Lock order user → payment, then decide from the locked row: two refunds (or a
      // webhook and a confirm on two instances) decide one after the other.
      if (owner !== undefined) await lockUser(q, owner);
      const row =
        owner === undefined
          ? undefined
          : await q.get('SELECT * FROM payments WHERE stripe_payment_intent_id = ? FOR UPDATE', [
              input.paymentIntentId,
            ]);
      if (input.event) {
        const seen = await q.value('SELECT 1 FROM stripe_events WHERE id = ?', [input.event.id]);
        if (seen) return { kind: 'duplicate_event' };
      }
      if (!row) {
        if (input.event) {
          const inserted = await q.run(
            `INSERT INTO stripe_events (id, type, payment_id, outcome, received_at)
               VALUES (?, ?, NULL, 'unknown_payment', ?) ON CONFLICT (id) DO NOTHING`,
            [input.event.id, input.event.type, input.now],
          );
          if (inserted === 0) return { kind: 'duplicate_event' };
        }
        return { kind: 'unknown_payment' };
      }
      const payment = paymentFromRow(row);
      const decision = input.decide(payment);
      let balance = await balanceOf(q, payment.userId);
      for (const entry of decision.entries) {
        const before = balance;
        balance = (await applyEntry(q, payment.userId, entry, input.now)).balanceAfter;
        await outbox.noticeLowBalance(
          q,
          { userId: payment.userId, before, after: balance },
          input.now,
        );
      }
      for (const draft of decision.mail ?? []) await outbox.enqueueMail(q, draft, input.now);
      const sets: string[] = [];
      const values: Record<string, unknown> = { id: payment.id, now: input.now };
      if (decision.patch.credited === true && !payment.credited) sets.push('credited_at = @now');
      for (const [field, value] of Object.entries(decision.patch)) {
        const column = PAYMENT_COLUMNS[field];
        if (!column) throw new Error(`unknown payment field ${field}`);
        sets.push(`${column} = @${field}`);
        values[field] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      }
      if (sets.length > 0) {
        await q.run(
          `UPDATE payments SET ${sets.join(', ')}, updated_at = @now WHERE id = @id`,
          values,
        );
      }
      if (input.event) {
        await q.run(
          'INSERT INTO stripe_events (id, type, payment_id, outcome, received_at) VALUES (?, ?, ?, ?, ?)',
          [input.event.id, input.event.type, payment.id, decision.outcome, input.now],
        );
      }
      return {
        kind: 'applied',
        payment: (await paymentBy(q, 'id', payment.id))!,
        balance,
        outcome: decision.outcome,
      };
    });
  }

  recordStripeEvent(input: { id: string; type: string; outcome: string; now: string }) {
    return this.tx(
      async (q) =>
        (await q.run(
          `INSERT INTO stripe_events (id, type, payment_id, outcome, received_at)
             VALUES (?, ?, NULL, ?, ?) ON CONFLICT (id) DO NOTHING`,
          [input.id, input.type, input.outcome, input.now],
        )) > 0,
    );
  }

  pruneStripeEvents(input: { receivedBefore: string; limit: number }): Promise<number> {
    return this.tx((q) =>
      q.run(
        `DELETE FROM stripe_events WHERE id IN (
           SELECT id FROM stripe_events WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
        [input.receivedBefore, input.limit],
      ),
    );
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

  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
    return this.runner.exclusively(name, fn);
  }

  listenVideoEvents(listener: VideoEventListener): Promise<() => Promise<void>> {
    return listenVideoEvents(this.connectionString, listener);
  }

  observeDriverErrors(listener: (kind: DriverErrorKind) => void): void {
    this.runner.observe(listener);
  }

  /** A real write needing a writable, reachable primary (a read-only server refuses it). */
  probeWrite(): Promise<void> {
    return this.tx(async (q) => {
      await q.run(
        `UPDATE schema_migrations SET applied_at = applied_at WHERE version = (
           SELECT MIN(version) FROM schema_migrations)`,
      );
    });
  }

  operationalGauges(): Promise<OperationalGauges> {
    return this.run(async (q) => {
      const videos = await q.all<{ status: string; n: number }>(
        `SELECT status, COUNT(*) AS n FROM video_generations
           WHERE status IN ('queued', 'processing') GROUP BY status`,
      );
      const mailBacklog = (await q.value<number>(
        `SELECT COUNT(*) FROM mail_outbox WHERE state IN ('pending', 'sending')`,
      ))!;
      return {
        videosQueued: videos.find((v) => v.status === 'queued')?.n ?? 0,
        videosProcessing: videos.find((v) => v.status === 'processing')?.n ?? 0,
        mailBacklog,
      };
    });
  }
}

async function insertSession(q: Q, session: NewSession) {
  await q.run('INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [
    session.id,
    session.userId,
    session.createdAt,
    session.expiresAt,
  ]);
}

const revokeAllOf = (q: Q, userId: string, now: string) =>
  q.run('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [
    now,
    userId,
  ]);

/** The one lookup of a key's record, for the generic middleware and the charge alike. */
const idempotencyRecord = (q: Q, userId: string, scope: string, key: string) =>
  q.get('SELECT * FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ?', [
    userId,
    scope,
    key,
  ]);

async function recordResponse(
  q: Q,
  userId: string,
  idem: { scope: string; key: string; requestHash: string },
  response: { status: number; body: string },
  now: string,
) {
  await q.run(
    `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, response_status,
       response_body, created_at, updated_at) VALUES (?, ?, ?, ?, 'completed', ?, ?, ?, ?)`,
    [userId, idem.scope, idem.key, idem.requestHash, response.status, response.body, now, now],
  );
}

async function paymentBy(
  q: Q,
  column: 'id' | 'stripe_payment_intent_id',
  value: string,
): Promise<PaymentRecord | null> {
  const row = await q.get(`SELECT * FROM payments WHERE ${column} = ?`, [value]);
  return row ? paymentFromRow(row) : null;
}

const balanceOf = async (q: Q, userId: string): Promise<number> =>
  (await q.value<number>('SELECT credit_balance FROM users WHERE id = ?', [userId]))!;

const holdsLease = async (q: Q, id: string, lease: VideoLease): Promise<boolean> =>
  (await q.value(
    `SELECT 1 FROM video_generations
       WHERE id = ? AND status = 'processing' AND lease_owner = ? AND attempts = ?`,
    [id, lease.owner, lease.attempt],
  )) !== undefined;

/** Tells every instance's listeners (SSE, the worker holding it) that the video changed. */
const notifyVideo = (q: Q, id: string) => q.run('SELECT pg_notify(?, ?)', [VIDEO_CHANNEL, id]);

const videoById = async (q: Q, id: string) =>
  videoFromRow((await q.get('SELECT * FROM video_generations WHERE id = ?', [id]))!);

/** Resolves a video whose row (and user) this transaction has locked; as SQLite's. */
async function resolveVideo(
  q: Q,
  current: VideoRecord,
  finish: VideoFinish,
  now: string,
): Promise<FinishVideoResult> {
  const id = current.id;
  if (
    current.status === 'completed' ||
    current.status === 'failed' ||
    current.status === 'canceled'
  ) {
    return { video: current, changed: false, balance: await balanceOf(q, current.userId) };
  }
  if (finish.status === 'completed') {
    await q.run(
      `UPDATE video_generations SET status = 'completed', progress = 100, file_path = ?,
           error = NULL, completed_at = ?, updated_at = ? WHERE id = ?`,
      [finish.filePath, now, now, id],
    );
    await notifyVideo(q, id);
    return {
      video: await videoById(q, id),
      changed: true,
      balance: await balanceOf(q, current.userId),
    };
  }
  const refund =
    finish.status === 'canceled'
      ? cancelRefundCredits({
          status: current.status,
          creditsUsed: current.creditsUsed,
          progress: current.progress,
        })
      : current.creditsUsed;
  await q.run(
    `UPDATE video_generations SET status = ?, error = ?, credits_refunded = ?,
         completed_at = ?, updated_at = ? WHERE id = ?`,
    [finish.status, finish.error, refund, now, now, id],
  );
  const balance =
    refund === 0
      ? await balanceOf(q, current.userId)
      : (
          await applyEntry(
            q,
            current.userId,
            {
              type: 'refund',
              amount: refund,
              referenceType: 'video',
              referenceId: id,
              description: refundDescription(finish.status, current, refund),
            },
            now,
          )
        ).balanceAfter;
  if (refund > 0) {
    await outbox.noticeVideoRefund(
      q,
      { userId: current.userId, videoId: id, credits: refund, reason: finish.status },
      now,
    );
  }
  await notifyVideo(q, id);
  return { video: await videoById(q, id), changed: true, balance };
}

function refundDescription(
  status: 'failed' | 'canceled',
  video: VideoRecord,
  refund: number,
): string {
  if (status === 'failed') return 'Refund: video generation failed';
  if (refund === video.creditsUsed) return 'Refund: video canceled';
  return `Refund: video canceled at ${video.progress}% (${refund} of ${video.creditsUsed} credits)`;
}

/** An unfiltered page, newest first, by range seek on (user_id, user_seq), as in SQLite. */
export async function seekPage(
  q: Q,
  table: NumberedTable,
  userId: string,
  page: Page,
): Promise<{ rows: Row[]; total: number }> {
  const total =
    (await q.value<number>(`SELECT MAX(user_seq) FROM ${table} WHERE user_id = ?`, [userId])) ?? 0;
  const top = total - page.offset;
  if (top <= 0) return { rows: [], total };
  const rows = await q.all(
    `SELECT * FROM ${table} WHERE user_id = ? AND user_seq <= ? ORDER BY user_seq DESC LIMIT ?`,
    [userId, top, page.limit],
  );
  return { rows, total };
}
