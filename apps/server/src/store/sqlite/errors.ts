import Database from 'better-sqlite3';
import { AppError } from '../../errors.ts';

/**
 * Translates driver failures into typed errors: a locked or read-only database is a
 * temporary outage (503, retry later), a full disk is 507; neither leaves a partial write
 * because every operation runs in one transaction.
 */
export function translateDriverError(err: unknown): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  const code = err.code;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new AppError(
      'SERVICE_UNAVAILABLE',
      'The service is busy, please retry shortly',
      undefined,
      {
        'Retry-After': '1',
      },
    );
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new AppError('STORAGE_FULL', 'The server is out of storage space', undefined, {
      'Retry-After': '60',
    });
  }
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_CANTOPEN'
  ) {
    return new AppError('SERVICE_UNAVAILABLE', 'Storage is temporarily unavailable', undefined, {
      'Retry-After': '30',
    });
  }
  return err;
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
