import type { FindPackageInput, PackageRecord } from '../types.ts';
import type { Db } from './open.ts';
import { packageFromRow } from './rows.ts';
import { statement } from './statements.ts';

type Row = Record<string, unknown>;

export function listActivePackages(db: Db): PackageRecord[] {
  return (
    statement(db, 'SELECT * FROM credit_packages WHERE active = 1 ORDER BY id').all() as Row[]
  ).map(packageFromRow);
}

export function findPackage(db: Db, input: FindPackageInput): PackageRecord | null {
  const row = statement(db, 'SELECT * FROM credit_packages WHERE id = ?').get(input.id) as
    Row | undefined;
  return row ? packageFromRow(row) : null;
}
