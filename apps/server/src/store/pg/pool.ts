import pg from 'pg';
import type { DriverErrorKind } from '../types.ts';
import { isRetryable, pgErrorKind, translatePgError } from './errors.ts';
import { Q } from './sql.ts';

export interface PgOptions {
  connectionString: string;
  /** Connections per instance. */
  max?: number;
  /** A statement waiting longer than this for a row lock fails as "busy" (503). */
  lockTimeoutMs?: number;
  /** Any statement running longer than this fails as "busy" (503). */
  statementTimeoutMs?: number;
  /** How long to wait for a free connection, or for a new one to open. */
  connectTimeoutMs?: number;
}

/** BIGINT ids (ledger, outbox) and COUNT(*) fit a JS number long before they matter. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 || oid === 1700
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function createPool(o: PgOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: o.connectionString,
    max: o.max ?? 10,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    lock_timeout: o.lockTimeoutMs ?? 5000,
    statement_timeout: o.statementTimeoutMs ?? 30_000,
    types,
  });
  // An idle connection that dies (server restart) must not crash the process; the next
  // checkout opens a new one.
  pool.on('error', () => undefined);
  // A checked-out connection has no listener of the pool's: its 'error' would be thrown and
  // kill the process. Attached on creation, not after the checkout resolves, because a server
  // shutting down can end the handshake and terminate the connection in one packet, parsed
  // before any awaiting code runs (test/store/pg-pool-errors.test.ts). The failing query
  // reports the error instead.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

const MAX_RETRIES = 5;

/**
 * Transactions at READ COMMITTED with the adapter's own retry of serialization failures and
 * deadlocks (the whole function runs again, so it must only touch the database), and driver
 * failures translated to the typed 503/507 errors.
 */
export class PgRunner {
  private listener: ((kind: DriverErrorKind) => void) | undefined;

  constructor(readonly pool: pg.Pool) {}

  observe(listener: (kind: DriverErrorKind) => void): void {
    this.listener = listener;
  }

  private fail(err: unknown): unknown {
    const kind = pgErrorKind(err);
    if (kind) this.listener?.(kind);
    return translatePgError(err);
  }

  /**
   * A connection from the pool. Whatever stops one from opening (the server down or
   * restarting, the database refusing connections, the pool exhausted) is "unavailable".
   */
  private async connect(): Promise<pg.PoolClient> {
    try {
      // Its 'error' events are already absorbed (createPool).
      return await this.pool.connect();
    } catch (err) {
      this.listener?.('unavailable');
      throw translatePgError(
        pgErrorKind(err) ? err : Object.assign(err as Error, { code: '08006' }),
      );
    }
  }

  /** Reads outside a transaction, on one connection. */
  async run<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken = false;
    try {
      return await fn(new Q(client));
    } catch (err) {
      broken = pgErrorKind(err) !== null;
      throw this.fail(err);
    } finally {
      client.release(broken);
    }
  }

  /**
   * A session advisory lock keyed by `name`, held on its own connection while `fn` runs
   * (its queries use other connections). Taken by another instance: null, nothing run.
   */
  async exclusively<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
    const client = await this.connect();
    let locked = false;
    try {
      locked = (
        await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
          name,
        ])
      ).rows[0]!.ok;
      if (!locked) return null;
      return await fn();
    } catch (err) {
      throw this.fail(err);
    } finally {
      if (locked) {
        await client
          .query('SELECT pg_advisory_unlock(hashtext($1))', [name])
          .catch(() => undefined);
      }
      client.release();
    }
  }

  /**
   * One statement in autocommit (it is its own transaction: one round trip, no BEGIN or
   * COMMIT), run again on a serialization failure or deadlock as `tx` is.
   */
  async statement<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.run(fn);
      } catch (err) {
        if (!isRetryable(err) || attempt >= MAX_RETRIES) throw err;
        await new Promise((r) => setTimeout(r, 2 ** attempt * 5 * Math.random()));
      }
    }
  }

  async tx<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(new Q(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        if (isRetryable(err) && attempt < MAX_RETRIES) {
          await new Promise((r) => setTimeout(r, 2 ** attempt * 5 * Math.random()));
          continue;
        }
        if (pgErrorKind(err)) broken = true;
        throw this.fail(err);
      } finally {
        client.release(broken);
      }
    }
  }
}
