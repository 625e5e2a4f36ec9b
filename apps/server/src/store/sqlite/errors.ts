import Database from 'better-sqlite3';
import { AppError } from '../../errors.ts';
import type { DriverErrorKind } from '../types.ts';

/**
 * Translates driver failures into typed errors: a locked or read-only database is a
 * temporary outage (503, retry later), a full disk is 507; neither leaves a partial write
 * because every operation runs in one transaction.
 */
export function translateDriverError(err: unknown): unknown {
  const kind = driverErrorKind(err);
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

/** Which temporary outage a driver failure is, or null for anything else (a bug, a constraint). */
export function driverErrorKind(err: unknown): DriverErrorKind | null {
  if (!(err instanceof Database.SqliteError)) return null;
  const code = err.code;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_FULL')) return 'full';
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_CANTOPEN'
  ) {
    return 'unavailable';
  }
  return null;
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * The WAL could not be flushed to stable storage. Commits may be visible but are not known to
 * be durable, so the store stops accepting writes (a restart recovers from the WAL on disk).
 */
export function walFlushFailed(err: unknown): AppError {
  const full = (err as NodeJS.ErrnoException | null)?.code === 'ENOSPC';
  return full
    ? new AppError('STORAGE_FULL', 'The server is out of storage space', undefined, {
        'Retry-After': '60',
      })
    : new AppError('SERVICE_UNAVAILABLE', 'Storage is temporarily unavailable', undefined, {
        'Retry-After': '30',
      });
}
