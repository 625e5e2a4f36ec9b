import { TEST_TABLES, type RowQuery, type TestTable, type Where } from '../test-data.ts';

/** Column and ORDER BY names are interpolated: only plain identifiers get that far. */
export function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a column name: ${name}`);
  return name;
}

export function tableName(name: string): TestTable {
  if (!(TEST_TABLES as readonly string[]).includes(name)) throw new Error(`not a table: ${name}`);
  return name as TestTable;
}

/**
 * The statements of the test-data facade, as `?` text both adapters run (the PostgreSQL
 * runner takes `?` too, pg/sql.ts), so a condition reads alike on both. Every name that
 * reaches the text is a checked identifier or a TEST_TABLES member; values are parameters.
 */
export interface Statement {
  sql: string;
  args: unknown[];
}

/** `where` as a WHERE clause with one placeholder per value ('' when empty). */
function whereClause(where: Where = {}): Statement {
  const parts: string[] = [];
  const args: unknown[] = [];
  for (const [name, match] of Object.entries(where)) {
    const c = identifier(name);
    if (match === null) parts.push(`${c} IS NULL`);
    else if (typeof match !== 'object') {
      parts.push(`${c} = ?`);
      args.push(match);
    } else if ('like' in match) {
      parts.push(`${c} LIKE ?`);
      args.push(match.like);
    } else if ('in' in match) {
      parts.push(match.in.length ? `${c} IN (${match.in.map(() => '?').join(', ')})` : '1 = 0');
      args.push(...match.in);
    } else if ('before' in match) {
      parts.push(`${c} < ?`);
      args.push(match.before);
    } else if ('after' in match) {
      parts.push(`${c} > ?`);
      args.push(match.after);
    } else {
      if (match.from !== undefined) {
        parts.push(`${c} >= ?`);
        args.push(match.from);
      }
      if (match.to !== undefined) {
        parts.push(`${c} <= ?`);
        args.push(match.to);
      }
    }
  }
  const conditions = parts.join(' AND ');
  return { sql: parts.length ? ` WHERE ${conditions}` : '', args };
}

/** Tables without an `id` column are ordered by their key. */
const KEY_ORDER: Partial<Record<TestTable, string>> = {
  idempotency_keys: 'key',
  account_tokens: 'token_hash',
};

export function countSql(table: TestTable, where?: Where): Statement {
  const from = tableName(table);
  const { sql: filter, args } = whereClause(where);
  return { sql: `SELECT COUNT(*) AS n FROM ${from}${filter}`, args };
}

export function sumSql(table: TestTable, name: string, where?: Where): Statement {
  const from = tableName(table);
  const summed = identifier(name);
  const { sql: filter, args } = whereClause(where);
  return { sql: `SELECT COALESCE(SUM(${summed}), 0) AS n FROM ${from}${filter}`, args };
}

export function deleteAllSql(table: TestTable): Statement {
  const from = tableName(table);
  return { sql: `DELETE FROM ${from}`, args: [] };
}

export function selectSql(q: RowQuery): Statement {
  const from = tableName(q.table);
  const columns = q.columns?.length ? q.columns.map(identifier).join(', ') : '*';
  const { sql: filter, args } = whereClause(q.where);
  const ordering = identifier(q.orderBy ?? KEY_ORDER[q.table] ?? 'id') + (q.desc ? ' DESC' : '');
  const limit = q.limit === undefined ? '' : ` LIMIT ${Math.trunc(q.limit)}`;
  return { sql: `SELECT ${columns} FROM ${from}${filter} ORDER BY ${ordering}${limit}`, args };
}
