import pg from 'pg';
import { AppError } from '../../errors.ts';
import type { DriverErrorKind } from '../types.ts';

/**
 * PostgreSQL failures mapped to the same typed errors as SQLite's: a lock or statement
 * timeout is "busy" (503, retry in a second), a lost connection, a server shutting down or a
 * read-only server (a standby, `default_transaction_read_only`) is "unavailable" (503, retry
 * later), a full disk is 507. Each operation is one transaction, so none leaves a partial write.
 */
export function pgErrorKind(err: unknown): DriverErrorKind | null {
  if (!err || typeof err !== 'object') return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') {
    const message = err instanceof Error ? err.message : '';
    // node-postgres's own errors for a connection that ended or never opened.
    return /Connection terminated|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
      message,
    )
      ? 'unavailable'
      : null;
  }
  if (code === '55P03' || code === '57014') return 'busy';
  if (code === '53100') return 'full';
  if (
    code === '25006' ||
    code.startsWith('08') ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === '53300' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT' ||
    code === 'ENOTFOUND'
  ) {
    return 'unavailable';
  }
  return null;
}

export function translatePgError(err: unknown): unknown {
  const kind = pgErrorKind(err);
  if (kind === 'busy') {
    return new AppError(
      'SERVICE_UNAVAILABLE',
      'The service is busy, please retry shortly',
      undefined,
      {
        'Retry-After': '1',
      },
    );
  }
  if (kind === 'full') {
    return new AppError('STORAGE_FULL', 'The server is out of storage space', undefined, {
      'Retry-After': '60',
    });
  }
  if (kind === 'unavailable') {
    return new AppError('SERVICE_UNAVAILABLE', 'Storage is temporarily unavailable', undefined, {
      'Retry-After': '30',
    });
  }
  return err;
}

/** Serialization failure or deadlock: the transaction is run again from the start. */
export const isRetryable = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
};

export const isUniqueViolation = (err: unknown): boolean =>
  (err as { code?: unknown } | null)?.code === '23505';

/**
 * PostgreSQL answered the statement with an error: in autocommit its transaction rolled back,
 * nothing of it was written. Not a retried deadlock, and not a connection that ended, after
 * which the commit may or may not have happened.
 */
export const refusedByServer = (err: unknown): boolean =>
  err instanceof pg.DatabaseError && !isRetryable(err) && pgErrorKind(err) !== 'unavailable';
