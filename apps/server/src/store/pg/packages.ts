import type { FindPackageInput, PackageRecord } from '../types.ts';
import { packageFromRow } from '../sqlite/rows.ts';
import type { Q } from './sql.ts';

export async function listActivePackages(q: Q): Promise<PackageRecord[]> {
  return (await q.all('SELECT * FROM credit_packages WHERE active = 1 ORDER BY id')).map(
    packageFromRow,
  );
}

export async function findPackage(q: Q, input: FindPackageInput): Promise<PackageRecord | null> {
  const row = await q.get('SELECT * FROM credit_packages WHERE id = ?', [input.id]);
  return row ? packageFromRow(row) : null;
}
