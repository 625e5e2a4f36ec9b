import { CREDIT_PACKAGES } from '@app/shared';
import type pg from 'pg';
import { sql as schema } from './migrations/001-schema.ts';
import { sql as chargeFunction } from './migrations/002-charge-function.ts';
import { sql as perUserQueueIndexes } from './migrations/003-per-user-queue-indexes.ts';
import { sql as chargeWithoutNotify } from './migrations/004-charge-without-notify.ts';
import { sql as queueOrderIndex } from './migrations/005-queue-order-index.ts';
import { sql as chargeChecksSession } from './migrations/006-charge-checks-session.ts';
import { sql as workerInOneStatement } from './migrations/007-worker-in-one-statement.ts';
import { sql as chargesInBatches } from './migrations/008-charges-in-batches.ts';
import { sql as batchLockWait } from './migrations/009-batch-lock-wait.ts';
import { sql as chargeReadsRoundEnds } from './migrations/010-charge-reads-round-ends.ts';

/** Append only, as SQLite's: a released migration is never edited. */
export const PG_MIGRATIONS = [
  { version: 1, name: 'schema', sql: schema },
  { version: 2, name: 'charge-function', sql: chargeFunction },
  { version: 3, name: 'per-user-queue-indexes', sql: perUserQueueIndexes },
  { version: 4, name: 'charge-without-notify', sql: chargeWithoutNotify },
  { version: 5, name: 'queue-order-index', sql: queueOrderIndex },
  { version: 6, name: 'charge-checks-session', sql: chargeChecksSession },
  { version: 7, name: 'worker-in-one-statement', sql: workerInOneStatement },
  { version: 8, name: 'charges-in-batches', sql: chargesInBatches },
  { version: 9, name: 'batch-lock-wait', sql: batchLockWait },
  { version: 10, name: 'charge-reads-round-ends', sql: chargeReadsRoundEnds },
] as const;

/** Tables the app role may only read and append to. */
const APPEND_ONLY = ['transactions', 'admin_audit_log'];

/**
 * Runs as the owner role (`DATABASE_OWNER_URL`), under an advisory lock so instances starting
 * together migrate once. `appRole`, when it is another role, gets exactly what the server
 * needs: no ownership, and on the append-only tables no UPDATE, DELETE or TRUNCATE.
 */
export async function migratePg(owner: pg.Pool, appRole?: string): Promise<void> {
  const client = await owner.connect();
  try {
    await client.query('SELECT pg_advisory_lock(7243001)');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    for (const m of PG_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
          [m.version, m.name, new Date().toISOString()],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
    for (const p of CREDIT_PACKAGES) {
      await client.query(
        `INSERT INTO credit_packages (id, name, credits, bonus_credits, price_cents, currency,
           best_value, active) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, credits = excluded.credits,
           bonus_credits = excluded.bonus_credits, price_cents = excluded.price_cents,
           currency = excluded.currency, best_value = excluded.best_value`,
        [p.id, p.name, p.credits, p.bonusCredits, p.priceCents, p.currency, p.bestValue ? 1 : 0],
      );
    }
    const me = (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
    if (appRole && appRole !== me) await grantApp(client, appRole);
  } finally {
    await client.query('SELECT pg_advisory_unlock(7243001)').catch(() => undefined);
    client.release();
  }
}

async function grantApp(client: pg.PoolClient, role: string): Promise<void> {
  const r = client.escapeIdentifier(role);
  await client.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
  for (const table of APPEND_ONLY) {
    await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM ${r}`);
  }
  await client.query(`REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM ${r}`);
  await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
  // PUBLIC has it by default; said here so a hardened default (REVOKE FROM PUBLIC) keeps the
  // charge working. The functions run with the caller's rights (SECURITY INVOKER).
  await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${r}`);
}
