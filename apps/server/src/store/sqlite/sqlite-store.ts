import type {
  ChargeVideoResult,
  IdempotencyBegin,
  LedgerEntry,
  Page,
  PageResult,
  PackageRecord,
  PaymentRecord,
  PaymentUpdateResult,
  Store,
  TransactionFilter,
  UserRecord,
  VideoFinish,
  VideoRecord,
} from '../types.ts';
import { applyEntry, LedgerRejected } from './ledger.ts';
import { translateDriverError } from './errors.ts';
import { GroupCommit } from './group-commit.ts';
import { statement } from './statements.ts';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';
import { checkInvariants } from './invariants.ts';
import { migrate, openDatabase, seedPackages, type Db, type OpenOptions } from './open.ts';
import { entryFromRow, packageFromRow, paymentFromRow, userFromRow, videoFromRow } from './rows.ts';

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
};

export function openSqliteStore(file: string, options: OpenOptions = {}): SqliteStore {
  const db = openDatabase(file, options);
  migrate(db);
  seedPackages(db);
  const checkpointer =
    file === ':memory:' || options.readonly ? undefined : startCheckpointer(file);
  return new SqliteStore(db, checkpointer);
}

export class SqliteStore implements Store {
  private readonly writes: GroupCommit;

  constructor(
    readonly db: Db,
    private readonly checkpointer?: Checkpointer,
  ) {
    this.writes = new GroupCommit(db, translateDriverError);
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
      return Promise.reject(translateDriverError(err));
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
        `SELECT * FROM transactions WHERE ${clause} ORDER BY id DESC LIMIT @limit OFFSET @offset`,
      ).all(params) as Row[];
      return { rows: rows.map(entryFromRow), total };
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
      const row = this.stmt(
        'SELECT * FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ?',
      ).get(input.userId, input.scope, input.key) as Row | undefined;
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

  releaseAllInProgressRequests(): Promise<number> {
    return this.tx(
      () => this.stmt(`DELETE FROM idempotency_keys WHERE state = 'in_progress'`).run().changes,
    );
  }

  chargeAndCreateVideo(
    input: Parameters<Store['chargeAndCreateVideo']>[0],
  ): Promise<ChargeVideoResult> {
    const v = input.video;
    const idem = input.idempotency;
    return this.tx((): ChargeVideoResult => {
      if (idem) {
        const row = this.stmt(
          'SELECT * FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ?',
        ).get(v.userId, idem.scope, idem.key) as Row | undefined;
        if (row && row.request_hash !== idem.requestHash) return { kind: 'key_reused' };
        if (row && row.state === 'completed') {
          return {
            kind: 'stored_response',
            status: row.response_status as number,
            body: row.response_body as string,
          };
        }
      }
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
             resolution, custom_music, premium_tts, ai_enhancement, credits_used, created_at, updated_at)
           VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
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
    filter: { status?: VideoRecord['status'] },
    page: Page,
  ): Promise<PageResult<VideoRecord>> {
    return this.run(() => {
      const clause = filter.status ? 'user_id = @userId AND status = @status' : 'user_id = @userId';
      const params = { userId, status: filter.status, limit: page.limit, offset: page.offset };
      const total = this.stmt(`SELECT COUNT(*) FROM video_generations WHERE ${clause}`, true).get(
        params,
      ) as number;
      const rows = this.stmt(
        `SELECT * FROM video_generations WHERE ${clause}
           ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`,
      ).all(params) as Row[];
      return { rows: rows.map(videoFromRow), total };
    });
  }

  claimNextVideo(now: string): Promise<VideoRecord | null> {
    return this.tx(() => {
      const row = this.stmt(
        `UPDATE video_generations SET status = 'processing', attempts = attempts + 1,
             started_at = COALESCE(started_at, @now), updated_at = @now
           WHERE id = (SELECT id FROM video_generations WHERE status = 'queued'
                       ORDER BY created_at, id LIMIT 1)
           RETURNING *`,
      ).get({ now }) as Row | undefined;
      return row ? videoFromRow(row) : null;
    });
  }

  updateVideoProgress(id: string, progress: number, now: string): Promise<void> {
    return this.run(() => {
      this.stmt(
        `UPDATE video_generations SET progress = MAX(progress, ?), updated_at = ?
           WHERE id = ? AND status = 'processing'`,
      ).run(Math.max(0, Math.min(100, Math.round(progress))), now, id);
    });
  }

  requeueVideo(id: string, now: string): Promise<boolean> {
    return this.tx(() => {
      const info = this.stmt(
        `UPDATE video_generations SET status = 'queued', progress = 0, updated_at = ?
           WHERE id = ? AND status IN ('queued', 'processing')`,
      ).run(now, id);
      return info.changes > 0;
    });
  }

  listVideosInStatus(statuses: VideoRecord['status'][]): Promise<VideoRecord[]> {
    return this.run(() => {
      const marks = statuses.map(() => '?').join(', ');
      return (
        this.stmt(
          `SELECT * FROM video_generations WHERE status IN (${marks}) ORDER BY created_at`,
        ).all(...statuses) as Row[]
      ).map(videoFromRow);
    });
  }

  finishVideo(
    id: string,
    finish: VideoFinish,
    now: string,
  ): Promise<{ video: VideoRecord; changed: boolean; balance: number }> {
    return this.tx(() => {
      const current = this.videoById(id);
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
      this.stmt(
        `UPDATE video_generations SET status = ?, error = ?, credits_refunded = credits_used,
             completed_at = ?, updated_at = ? WHERE id = ?`,
      ).run(finish.status, finish.error, now, now, id);
      const { balanceAfter } = applyEntry(
        this.db,
        current.userId,
        {
          type: 'refund',
          amount: current.creditsUsed,
          referenceType: 'video',
          referenceId: id,
          description:
            finish.status === 'canceled'
              ? 'Refund: video canceled'
              : 'Refund: video generation failed',
        },
        now,
      );
      return { video: this.videoById(id), changed: true, balance: balanceAfter };
    });
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
             status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
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
      const total = this.stmt('SELECT COUNT(*) FROM payments WHERE user_id = ?', true).get(
        userId,
      ) as number;
      const rows = this.stmt(
        'SELECT * FROM payments WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?',
      ).all(userId, page.limit, page.offset) as Row[];
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
        balance = applyEntry(this.db, payment.userId, entry, input.now).balanceAfter;
      }
      const sets: string[] = [];
      const values: Record<string, unknown> = { id: payment.id, now: input.now };
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

  verifyInvariants() {
    return this.run(() => checkInvariants(this.db));
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

class InsufficientInsideTx extends Error {
  constructor(readonly balance: number) {
    super('insufficient');
  }
}
