import { randomUUID } from 'node:crypto';
import {
  BULK_PATTERN,
  bulkDescription,
  WRITABLE_TABLES,
  type TestData,
  type VideoSummary,
  type WritableTable,
} from '../test-data.ts';
import { applyEntry } from './ledger.ts';
import type { Db } from './open.ts';
import { entryFromRow } from './rows.ts';
import { SqliteStore } from './sqlite-store.ts';
import { countSql, deleteAllSql, selectSql, sumSql, type Statement } from './test-query.ts';

/**
 * The SQLite side of a test's data: plain statements on the store's own connection. Each
 * write runs whole in one synchronous call, so it can never interleave with a group commit.
 */
export function sqliteTestData(store: SqliteStore): TestData {
  const db = store.db;
  const value = ({ sql, args }: Statement) =>
    db
      .prepare(sql)
      .pluck()
      .get(...args);
  const tryWrite = (sql: string): unknown => {
    try {
      db.prepare(sql).run();
    } catch (err) {
      return err;
    }
    return undefined;
  };
  const data: TestData = {
    grantCredits: async ({ userId, amount, type, referenceType, referenceId, description }) => {
      db.transaction(() =>
        applyEntry(
          db,
          userId,
          {
            type: type ?? 'adjustment',
            amount,
            referenceType: referenceType ?? 'test_grant',
            referenceId: referenceId ?? randomUUID(),
            description: description ?? 'Test fixture',
          },
          new Date().toISOString(),
        ),
      ).immediate();
    },
    appendLedgerEntries: async (input) => appendEntries(db, input),
    countRows: async ({ table, where }) => value(countSql(table, where)) as number,
    countAll: async ({ tables = WRITABLE_TABLES } = {}) => {
      const counts = {} as Record<WritableTable, number>;
      for (const table of tables) counts[table] = await data.countRows({ table });
      return counts;
    },
    rows: async (query) => {
      const { sql, args } = selectSql(query);
      return db.prepare(sql).all(...args) as Record<string, unknown>[];
    },
    sum: async ({ table, column, where }) => value(sumSql(table, column, where)) as number,
    ledgerOf: async ({ userId }) =>
      (
        db
          .prepare('SELECT * FROM transactions WHERE user_id = ? ORDER BY id')
          .all(userId) as Record<string, unknown>[]
      ).map(entryFromRow),
    videoEntries: async ({ videoId }) =>
      db
        .prepare(
          `SELECT type, amount FROM transactions WHERE reference_type = 'video' AND reference_id = ?
           ORDER BY id`,
        )
        .all(videoId) as Array<{ type: string; amount: number }>,
    videosOf: async ({ userId }) =>
      db
        .prepare(
          `SELECT id, status, idempotency_key AS key, credits_used AS cost,
                  credits_refunded AS refunded, error, attempts, file_path AS filePath
           FROM video_generations WHERE user_id = ? ORDER BY created_at, id`,
        )
        .all(userId) as VideoSummary[],
    balanceOf: async ({ userId }) =>
      value({ sql: 'SELECT credit_balance FROM users WHERE id = ?', args: [userId] }) as number,
    balances: async () =>
      db
        .prepare('SELECT id, credit_balance AS creditBalance FROM users ORDER BY id')
        .all() as Array<{ id: string; creditBalance: number }>,
    auditLog: async () =>
      db.prepare('SELECT * FROM admin_audit_log ORDER BY id').all() as Record<string, unknown>[],
    ageIdempotencyRecord: async ({ userId, key, at }) => {
      db.prepare(
        'UPDATE idempotency_keys SET created_at = ?, updated_at = ? WHERE user_id = ? AND key = ?',
      ).run(at, at, userId, key);
    },
    seedIdempotencyRecords: async ({ userId, count, at, prefix }) => {
      const insert = db.prepare(`INSERT INTO idempotency_keys
        (user_id, scope, key, request_hash, state, response_status, response_body, created_at,
         updated_at)
        VALUES (?, 'credits.calculate-cost', ?, 'h', 'completed', 200, '{}', ?, ?)`);
      db.transaction(() => {
        for (let i = 0; i < count; i++) insert.run(userId, `${prefix}${i}`, at, at);
      })();
    },
    recordLegacyReply: async ({ userId, scope, key, requestHash, status, body }) => {
      const now = new Date().toISOString();
      db.prepare(
        `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, response_status,
           response_body, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'completed', ?, ?, ?, ?)`,
      ).run(userId, scope, key, requestHash, status, body, now, now);
    },
    expireAccountToken: async ({ tokenHash, at }) => {
      db.prepare('UPDATE account_tokens SET expires_at = ? WHERE token_hash = ?').run(
        at,
        tokenHash,
      );
    },
    setUserEmail: async ({ userId, email }) => {
      db.prepare('UPDATE users SET email = ? WHERE id = ?').run(email, userId);
    },
    clearPrunable: async ({ tables }) => {
      db.transaction(() => {
        for (const t of tables) db.prepare(deleteAllSql(t).sql).run();
      })();
    },
    seedMail: async ({ mail }) => {
      const insert = db.prepare(`INSERT INTO mail_outbox
        (user_id, to_address, template, params, message_id, state, next_attempt_at, created_at)
        VALUES (?, 'x@example.com', 'verify-email', '{}', ?, ?, ?, ?)`);
      db.transaction(() => {
        for (const m of mail)
          insert.run(m.userId ?? null, m.messageId, m.state, m.createdAt, m.createdAt);
      })();
    },
    detachPaymentIntent: async ({ paymentId }) => {
      db.prepare('UPDATE payments SET stripe_payment_intent_id = NULL WHERE id = ?').run(paymentId);
    },
    orphanVideo: async ({ videoId }) => {
      // A live lease of a worker that no longer exists keeps any lease reaper away from it.
      db.prepare(
        `UPDATE video_generations SET status = 'processing', attempts = attempts + 1,
           lease_owner = 'gone', lease_until = '9999-01-01T00:00:00.000Z' WHERE id = ?`,
      ).run(videoId);
    },
    tamperLedger: async () => tryWrite('UPDATE transactions SET amount = amount + 1'),
    tamperAuditLog: async () => tryWrite(`UPDATE admin_audit_log SET note = 'edited'`),
  };
  return data;
}

/**
 * Appends bulk entries straight in SQL but the way the store does it (cached balance first,
 * then the entry; the triggers check it), so every invariant holds. Exported for memory and
 * streaming tests that seed a file before any store serves it.
 */
export function appendEntries(db: Db, input: Parameters<TestData['appendLedgerEntries']>[0]) {
  const { userId, count, start, stepMs } = input;
  const bump = db
    .prepare(
      'UPDATE users SET credit_balance = credit_balance + ? WHERE id = ? RETURNING credit_balance',
    )
    .pluck();
  const insert = db.prepare(
    `INSERT INTO transactions (user_id, type, amount, balance_after, reference_type, reference_id,
       description, created_at) VALUES (?, ?, ?, ?, 'bulk', ?, ?, ?)`,
  );
  const describe = input.description ?? bulkDescription;
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const { type, amount } = BULK_PATTERN[i % BULK_PATTERN.length]!;
      const balance = bump.get(amount, userId) as number;
      const at = new Date(start.getTime() + i * stepMs).toISOString();
      insert.run(userId, type, amount, balance, `${userId}:${i}`, describe(i), at);
    }
  })();
}

/**
 * The door for the few tests that are about SQLite itself (its triggers, PRAGMAs, query
 * plans, group commit, a file for the ledger:verify CLI): importing it says so on purpose.
 * Any other store is refused, so such a test cannot silently run against another adapter.
 */
export function sqliteAdapterInternals(store: unknown): { db: Db } {
  if (!(store instanceof SqliteStore)) throw new Error('not a SQLite store');
  return { db: store.db };
}
