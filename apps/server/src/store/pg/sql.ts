import type { PoolClient, QueryResultRow } from 'pg';

type Params = readonly unknown[] | Record<string, unknown>;
type Row = Record<string, unknown>;

const compiled = new Map<string, { text: string; names: string[] | null }>();

/**
 * The adapter's SQL is written as the SQLite adapter's is (`?` or `@name` placeholders), so
 * both read alike; this turns it into PostgreSQL's `$n` once per text.
 */
function compile(sql: string): { text: string; names: string[] | null } {
  let hit = compiled.get(sql);
  if (hit) return hit;
  const names: string[] = [];
  let n = 0;
  let named = false;
  const text = sql.replace(/\?|@([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string | undefined) => {
    if (name === undefined) return `$${++n}`;
    named = true;
    let i = names.indexOf(name);
    if (i < 0) i = names.push(name) - 1;
    return `$${i + 1}`;
  });
  hit = { text, names: named ? names : null };
  compiled.set(sql, hit);
  return hit;
}

function values(names: string[] | null, params: Params): unknown[] {
  if (!names) return params as unknown[];
  const bag = params as Record<string, unknown>;
  return names.map((k) => (bag[k] === undefined ? null : bag[k]));
}

/**
 * A statement PostgreSQL keeps parsed and planned per connection under this name, for the
 * few that run on every request (the session check, the charge): unnamed, each call is
 * parsed and planned again, which cost more server time than running the session check.
 * Only for statements whose result columns no migration changes (no `SELECT *`): a prepared
 * statement whose result type changed under it fails until its connection closes.
 */
export type PreparedName = `prepared_${string}`;

/** One connection's queries (inside a transaction, or alone: each statement then commits). */
export class Q {
  constructor(readonly client: Pick<PoolClient, 'query'>) {}

  private async exec(sql: string, params: Params, name?: PreparedName) {
    const { text, names } = compile(sql);
    const args = values(names, params);
    return name
      ? this.client.query<QueryResultRow>({ name, text, values: args })
      : this.client.query<QueryResultRow>(text, args);
  }

  async all<T = Row>(sql: string, params: Params = []): Promise<T[]> {
    return (await this.exec(sql, params)).rows as T[];
  }

  async get<T = Row>(
    sql: string,
    params: Params = [],
    prepared?: PreparedName,
  ): Promise<T | undefined> {
    return (await this.exec(sql, params, prepared)).rows[0] as T | undefined;
  }

  /** The first column of the first row; `prepared` names a hot statement (see PreparedName). */
  async value<T = unknown>(
    sql: string,
    params: Params = [],
    prepared?: PreparedName,
  ): Promise<T | undefined> {
    const row = (await this.exec(sql, params, prepared)).rows[0];
    return row === undefined ? undefined : (Object.values(row)[0] as T);
  }

  /** How many rows the statement changed. */
  async run(sql: string, params: Params = []): Promise<number> {
    return (await this.exec(sql, params)).rowCount ?? 0;
  }
}
