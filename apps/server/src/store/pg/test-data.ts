import { randomUUID } from 'node:crypto';
import {
  BULK_PATTERN,
  bulkDescription,
  WRITABLE_TABLES,
  type TestData,
  type VideoSummary,
  type WritableTable,
} from '../test-data.ts';
import { entryFromRow } from '../sqlite/rows.ts';
import { countSql, deleteAllSql, selectSql, sumSql } from '../sqlite/test-query.ts';
import { applyEntry, nextUserSeq } from './ledger.ts';
import type { PgStore } from './pg-store.ts';
import type { Q } from './sql.ts';

/**
 * The PostgreSQL side of a test's data, on the store's own pool and role, so a write the
 * server's role may not make (changing the ledger or the audit log) is refused here too.
 */
export function pgTestData(store: PgStore): TestData {
  const read = <T>(fn: (q: Q) => Promise<T>) => store.runner.run(fn);
  const write = <T>(fn: (q: Q) => Promise<T>) => store.runner.tx(fn);
  const tryWrite = (sql: string): Promise<unknown> =>
    write((q) => q.run(sql)).then(
      () => undefined,
      (err: unknown) => err,
    );
  const data: TestData = {
    grantCredits: ({ userId, amount, type, referenceType, referenceId, description }) =>
      write(async (q) => {
        await applyEntry(
          q,
          userId,
          {
            type: type ?? 'adjustment',
            amount,
            referenceType: referenceType ?? 'test_grant',
            referenceId: referenceId ?? randomUUID(),
            description: description ?? 'Test fixture',
          },
          new Date().toISOString(),
        );
      }),
    appendLedgerEntries: ({ userId, count, start, stepMs, description = bulkDescription }) =>
      write(async (q) => {
        for (let i = 0; i < count; i++) {
          const { type, amount } = BULK_PATTERN[i % BULK_PATTERN.length]!;
          const balance = await q.value<number>(
            `UPDATE users SET credit_balance = credit_balance + ? WHERE id = ?
             RETURNING credit_balance`,
            [amount, userId],
          );
          await q.run(
            `INSERT INTO transactions (user_id, type, amount, balance_after, reference_type,
               reference_id, description, created_at, user_seq)
             VALUES (?, ?, ?, ?, 'bulk', ?, ?, ?, ${nextUserSeq('transactions')})`,
            [
              userId,
              type,
              amount,
              balance,
              `${userId}:${i}`,
              description(i),
              new Date(start.getTime() + i * stepMs).toISOString(),
              userId,
            ],
          );
        }
      }),
    countRows: async ({ table, where }) => {
      const { sql, args } = countSql(table, where);
      return read(async (q) => Number(await q.value(sql, args)));
    },
    countAll: async ({ tables = WRITABLE_TABLES } = {}) => {
      const counts = {} as Record<WritableTable, number>;
      for (const table of tables) counts[table] = await data.countRows({ table });
      return counts;
    },
    rows: async (query) => {
      const { sql, args } = selectSql(query);
      return read((q) => q.all(sql, args));
    },
    sum: async ({ table, column, where }) => {
      const { sql, args } = sumSql(table, column, where);
      return read(async (q) => Number(await q.value(sql, args)));
    },
    ledgerOf: ({ userId }) =>
      read(async (q) =>
        (await q.all('SELECT * FROM transactions WHERE user_id = ? ORDER BY id', [userId])).map(
          (r) => entryFromRow({ ...r, id: Number(r.id) }),
        ),
      ),
    videoEntries: ({ videoId }) =>
      read((q) =>
        q.all<{ type: string; amount: number }>(
          `SELECT type, amount FROM transactions WHERE reference_type = 'video' AND reference_id = ?
           ORDER BY id`,
          [videoId],
        ),
      ),
    videosOf: ({ userId }) =>
      read((q) =>
        q.all<VideoSummary>(
          `SELECT id, status, idempotency_key AS key, credits_used AS cost,
                  credits_refunded AS refunded, error, attempts, file_path AS "filePath"
           FROM video_generations WHERE user_id = ? ORDER BY created_at, id`,
          [userId],
        ),
      ),
    balanceOf: ({ userId }) =>
      read(async (q) =>
        Number(await q.value('SELECT credit_balance FROM users WHERE id = ?', [userId])),
      ),
    balances: () =>
      read((q) =>
        q.all<{ id: string; creditBalance: number }>(
          'SELECT id, credit_balance AS "creditBalance" FROM users ORDER BY id',
        ),
      ),
    auditLog: () => read((q) => q.all('SELECT * FROM admin_audit_log ORDER BY id')),
    ageIdempotencyRecord: async ({ userId, key, at }) => {
      await write((q) =>
        q.run(
          'UPDATE idempotency_keys SET created_at = ?, updated_at = ? WHERE user_id = ? AND key = ?',
          [at, at, userId, key],
        ),
      );
    },
    seedIdempotencyRecords: async ({ userId, count, at, prefix }) => {
      await write((q) =>
        q.run(
          `INSERT INTO idempotency_keys
             (user_id, scope, key, request_hash, state, response_status, response_body,
              created_at, updated_at)
           SELECT ?, 'credits.calculate-cost', ?::text || i::text, 'h', 'completed', 200, '{}', ?, ?
           FROM generate_series(0, ?::int - 1) AS i`,
          [userId, prefix, at, at, count],
        ),
      );
    },
    recordLegacyReply: async ({ userId, scope, key, requestHash, status, body }) => {
      const now = new Date().toISOString();
      await write((q) =>
        q.run(
          `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, response_status,
             response_body, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'completed', ?, ?, ?, ?)`,
          [userId, scope, key, requestHash, status, body, now, now],
        ),
      );
    },
    expireAccountToken: async ({ tokenHash, at }) => {
      await write((q) =>
        q.run('UPDATE account_tokens SET expires_at = ? WHERE token_hash = ?', [at, tokenHash]),
      );
    },
    setUserEmail: async ({ userId, email }) => {
      await write((q) => q.run('UPDATE users SET email = ? WHERE id = ?', [email, userId]));
    },
    clearPrunable: async ({ tables }) => {
      await write(async (q) => {
        for (const t of tables) await q.run(deleteAllSql(t).sql);
      });
    },
    seedMail: async ({ mail }) => {
      await write(async (q) => {
        for (const m of mail)
          await q.run(
            `INSERT INTO mail_outbox
               (user_id, to_address, template, params, message_id, state, next_attempt_at,
                created_at)
             VALUES (?, 'x@example.com', 'verify-email', '{}', ?, ?, ?, ?)`,
            [m.userId ?? null, m.messageId, m.state, m.createdAt, m.createdAt],
          );
      });
    },
    detachPaymentIntent: async ({ paymentId }) => {
      await write((q) =>
        q.run('UPDATE payments SET stripe_payment_intent_id = NULL WHERE id = ?', [paymentId]),
      );
    },
    orphanVideo: async ({ videoId }) => {
      // A live lease of a worker that no longer exists keeps any lease reaper away from it.
      await write((q) =>
        q.run(
          `UPDATE video_generations SET status = 'processing', attempts = attempts + 1,
             lease_owner = 'gone', lease_until = '9999-01-01T00:00:00.000Z' WHERE id = ?`,
          [videoId],
        ),
      );
    },
    tamperLedger: () => tryWrite('UPDATE transactions SET amount = amount + 1'),
    tamperAuditLog: () => tryWrite(`UPDATE admin_audit_log SET note = 'edited'`),
  };
  return data;
}
