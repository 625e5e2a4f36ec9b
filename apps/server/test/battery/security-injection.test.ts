import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseQueryString } from 'node:querystring';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as S from '@app/shared';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { signedEvent } from '../helpers/payments.ts';
import { waitForTerminal } from '../helpers/video.ts';
import { buyCredits, raw, rowCounts, SQL_INJECTIONS, type RowCounts } from './security-helpers.ts';

/** A8: injection strings in every string field and query parameter; no SQL built from values. */

let h: Harness;
let user: TestUser;
let videoId: string;
let payment: { paymentId: string; paymentIntentId: string };

beforeAll(async () => {
  h = await createHarness({
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000000',
    RATE_LIMIT_LOGIN_PER_IP: '1000000',
  });
  user = await h.signup({ email: 'inject-owner@example.com' });
  payment = await buyCredits(h, user, 4);
  const res = await raw(h, '/api/video/generate', {
    token: user.token,
    body: JSON.stringify({ prompt: 'fixture', durationMinutes: 1, resolution: '720p' }),
  });
  videoId = (res.json as { video: { id: string } }).video.id;
  await waitForTerminal(h, user, videoId);
  h.emulator.control.pauseDelivery();
});

afterAll(async () => {
  h.emulator.control.resumeDelivery();
  await h.emulator.control.waitForIdle();
  await h.assertInvariants();
  await h.close();
});

type Counts = Partial<RowCounts>;
const delta = (after: RowCounts, before: RowCounts) =>
  Object.fromEntries(
    (Object.keys(after) as (keyof RowCounts)[])
      .map((k) => [k, after[k] - before[k]] as const)
      .filter(([, d]) => d !== 0),
  );

/** Sends one request; a 2xx may only add the rows `writes` names, anything else adds none. */
async function probe(
  label: string,
  url: string,
  init: { body?: string; token?: string; headers?: Record<string, string> },
  writes: Counts = {},
) {
  const before = await rowCounts(h);
  const balanceBefore = await balances();
  const res = await raw(h, url, init);
  const context = `${label}: ${res.status} ${res.text.slice(0, 200)}`;
  expect(res.status, context).toBeLessThan(500);
  const change = delta(await rowCounts(h), before);
  if (res.status >= 200 && res.status < 300) expect(change, context).toEqual(writes);
  else expect(change, context).toEqual({});
  // No statement ever touched anyone's balance but through the ledger.
  if (!(res.status >= 200 && res.status < 300 && writes.transactions)) {
    expect(await balances(), context).toEqual(balanceBefore);
  }
  return res;
}

const balances = () => h.data.balances();

/** NUL is refused up front for every request (security-nul-text); the rest reach the store. */
const refusedUpFront = (inj: string) => inj.includes('\u0000');

describe('A8: SQL injection strings in every string field', () => {
  it.each(SQL_INJECTIONS)('signup, login and the stored values are verbatim: %j', async (inj) => {
    // As an email it is invalid (400); inside a valid email's local part it is stored as is.
    await probe('signup email', '/api/auth/signup', {
      body: JSON.stringify({ email: inj, password: 'password123', name: 'x' }),
    });
    const name = `n${inj}`;
    const res = await probe(
      'signup name',
      '/api/auth/signup',
      {
        body: JSON.stringify({
          email: `a${Math.random().toString(36).slice(2)}@example.com`,
          // The injection stays in the password; the words keep it past the strength check.
          password: `${inj} violet harbor lantern`,
          name,
        }),
      },
      { users: 1, transactions: 1 },
    );
    if (res.status === 201) {
      const id = (res.json as { user: { id: string } }).user.id;
      const [stored] = await h.data.rows({ table: 'users', columns: ['name'], where: { id } });
      expect(stored?.name).toBe(name.trim());
    }
    await probe('login email', '/api/auth/login', {
      body: JSON.stringify({ email: inj, password: 'whatever1' }),
    });
    await probe('login email with a quote in the local part', '/api/auth/login', {
      body: JSON.stringify({ email: "inject-owner'--@example.com", password: inj || 'x' }),
    });
    const login = await probe('login password', '/api/auth/login', {
      body: JSON.stringify({ email: user.email, password: inj }),
    });
    expect(login.status).toBe(refusedUpFront(inj) ? 400 : 401);
  });

  it.each(SQL_INJECTIONS)('video, credits and payment bodies: %j', async (inj) => {
    const gen = await probe(
      'generate prompt',
      '/api/video/generate',
      {
        token: user.token,
        body: JSON.stringify({ prompt: `p ${inj}`, durationMinutes: 1, resolution: '720p' }),
      },
      { video_generations: 1, transactions: 1 },
    );
    expect(gen.status).toBe(refusedUpFront(inj) ? 400 : 202);
    if (gen.status === 202) {
      const id = (gen.json as { video: { id: string } }).video.id;
      const [video] = await h.data.rows({
        table: 'video_generations',
        columns: ['prompt'],
        where: { id },
      });
      expect(video?.prompt).toBe(`p ${inj}`.trim());
    }
    await probe('generate resolution', '/api/video/generate', {
      token: user.token,
      body: JSON.stringify({ prompt: 'x', durationMinutes: 1, resolution: inj }),
    });
    if (/^[\x21-\x7e]+$/.test(inj)) {
      const keyed = await probe(
        'generate idempotency key',
        '/api/video/generate',
        {
          token: user.token,
          headers: { 'Idempotency-Key': inj },
          body: JSON.stringify({ prompt: 'keyed', durationMinutes: 1, resolution: '720p' }),
        },
        { video_generations: 1, transactions: 1, idempotency_keys: 1 },
      );
      expect(keyed.status).toBe(202);
      const stored = await h.data.countRows({
        table: 'idempotency_keys',
        where: { user_id: user.id, key: inj },
      });
      expect(stored).toBe(1);
    }
    await probe('calculate-cost resolution', '/api/credits/calculate-cost', {
      token: user.token,
      body: JSON.stringify({ durationMinutes: 1, resolution: inj }),
    });
    await probe('create-intent packageId', '/api/payments/create-intent', {
      token: user.token,
      body: JSON.stringify({ packageId: inj }),
    });
    const confirm = await probe('confirm paymentIntentId', '/api/payments/confirm', {
      token: user.token,
      body: JSON.stringify({ paymentIntentId: `pi_${inj}` }),
    });
    expect(confirm.status).toBe(refusedUpFront(inj) ? 400 : 404);
  });

  it.each(SQL_INJECTIONS)(
    'a signed webhook carrying %j in its ids records it verbatim',
    async (inj) => {
      const eventId = `evt_${inj}_${Math.random().toString(36).slice(2)}`;
      const { payload, header } = signedEvent(h, {
        id: eventId,
        object: 'event',
        type: 'payment_intent.succeeded',
        created: Math.floor(Date.now() / 1000),
        data: {
          object: {
            id: `pi_${inj}`,
            object: 'payment_intent',
            status: 'succeeded',
            amount_received: 29999,
            currency: 'usd',
            metadata: { payment_id: inj },
          },
        },
      });
      const res = await probe(
        'webhook',
        '/api/payments/webhook',
        { body: payload, headers: { 'Stripe-Signature': header } },
        { stripe_events: 1 },
      );
      expect(res.status).toBe(200);
      const [row] = await h.data.rows({
        table: 'stripe_events',
        columns: ['outcome'],
        where: { id: eventId },
      });
      expect(row?.outcome).toBe('unknown_payment');
    },
  );
});

describe('A8: SQL injection strings in every query parameter and path parameter', () => {
  it.each(SQL_INJECTIONS)('%j', async (inj) => {
    const q = encodeURIComponent(inj);
    const seg = encodeURIComponent(inj);
    const lists: [string, string, z.ZodType][] = [
      ['/api/credits/transactions', `type=${q}`, S.TransactionsQuerySchema],
      ['/api/credits/transactions', `from=${q}`, S.TransactionsQuerySchema],
      ['/api/credits/transactions', `to=${q}`, S.TransactionsQuerySchema],
      ['/api/credits/transactions', `page=${q}`, S.TransactionsQuerySchema],
      ['/api/credits/transactions', `pageSize=${q}`, S.TransactionsQuerySchema],
      ['/api/credits/transactions', `${q}=1`, S.TransactionsQuerySchema],
      ['/api/credits/video-history', `status=${q}`, S.VideoHistoryQuerySchema],
      ['/api/credits/video-history', `page=${q}&pageSize=${q}`, S.VideoHistoryQuerySchema],
      ['/api/payments/history', `page=${q}`, S.PaginationQuerySchema],
      ['/api/payments/history', `pageSize=${q}`, S.PaginationQuerySchema],
    ];
    for (const [route, qs, schema] of lists) {
      const url = `${route}?${qs}`;
      const res = await probe(url, url, { token: user.token });
      // Whatever the schema lets through is an enum, a number or a normalised date.
      const valid = schema.safeParse(parseQueryString(qs)).success && !refusedUpFront(inj);
      expect(res.status, url).toBe(valid ? 200 : 400);
    }
    const byId = [
      `/api/video/${seg}`,
      `/api/video/${seg}/events`,
      `/api/video/${seg}/file`,
      `/api/video/${videoId}/file?token=${q}`,
      `/api/payments/${seg}`,
    ];
    for (const url of byId) {
      const res = await probe(url, url, { token: user.token });
      expect([400, 401, 404], url).toContain(res.status);
    }
    const cancel = await probe('cancel', `/api/video/${seg}/cancel`, {
      token: user.token,
      body: '',
    });
    expect([400, 404]).toContain(cancel.status);
    // A valid `from` with a trailing injection is not a date, so it never reaches the store.
    const tail = await probe('from with tail', `/api/credits/transactions?from=2024-01-01${q}`, {
      token: user.token,
    });
    expect([200, 400]).toContain(tail.status);
    if (tail.status === 200) {
      const body = tail.json as { transactions: { id: number }[] };
      const own = await h.data.countRows({ table: 'transactions', where: { user_id: user.id } });
      expect(body.transactions.length).toBeLessThanOrEqual(own);
    }
  });

  it('never shows another user rows whatever the filters say', async () => {
    const other = await h.signup();
    for (const inj of SQL_INJECTIONS) {
      const q = encodeURIComponent(inj);
      for (const url of [
        `/api/credits/transactions?type=${q}&from=${q}`,
        `/api/credits/video-history?status=${q}`,
        `/api/payments/history?page=${q}`,
      ]) {
        const res = await raw(h, url, { token: other.token });
        expect(res.status).toBeLessThan(500);
        expect(res.text).not.toContain(user.id);
        expect(res.text).not.toContain(payment.paymentId);
      }
    }
    const mine = await raw(h, '/api/credits/transactions?pageSize=100', { token: other.token });
    const rows = (mine.json as { transactions: { referenceId: string | null }[] }).transactions;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.referenceId).toBe(other.id);
  });
});

// ---------- static check: no SQL string is built by interpolating values ----------

const here = path.dirname(fileURLToPath(import.meta.url));
const storeDir = path.resolve(here, '../../src/store');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

const SQL_WORDS =
  /\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|SET|VALUES|PRAGMA|ORDER BY|LIMIT|busy_timeout)\b|= @/;

/**
 * Every `${...}` that reaches SQL text in the store, and why it is safe: each is built from
 * fixed fragments in the same file (checked below), never from a request value.
 */
const ALLOWED_INTERPOLATIONS: Record<string, string> = {
  clause: "WHERE fragments: where.push('<literal>') or a literal ternary",
  marks: "statuses.map(() => '?').join(', ')",
  "sets.join(', ')": '`${column} = @${field}` where column is a value of PAYMENT_COLUMNS',
  column: "a PAYMENT_COLUMNS value, or the 'id' | 'stripe_payment_intent_id' union",
  field: 'a key of PAYMENT_COLUMNS (unknown fields throw before this line)',
  'Math.trunc(options.busyTimeoutMs ?? 5000)': 'an integer from validated config',
  // Added with sessions, fairness, keyset pages, accounts, the admin console and PostgreSQL:
  // each is a constant, a literal ternary, a placeholder list, or a name from a fixed union.
  "lock ? ' FOR UPDATE' : ''": 'a literal ternary on a boolean argument',
  AUDIT_SELECT: 'a constant column list (admin.ts)',
  APPROVAL_SELECT: 'a constant column list (admin.ts)',
  USER: 'a constant role-name literal in the PostgreSQL invariants',
  table: 'a NumberedTable / APPEND_ONLY / admin table-name union member, never input',
  "nextUserSeq('transactions')": 'a constant subquery for a fixed table',
  "nextUserSeq('video_generations')": 'a constant subquery for a fixed table',
  "nextUserSeq('payments')": 'a constant subquery for a fixed table',
  r: 'client.escapeIdentifier(role) of the configured PostgreSQL role',
  "where.join(' AND ')": "where.push('<literal>') fragments only",
  ACTIVE: "the constant status IN ('queued', 'processing')",
  ANY_TYPE: 'a constant list of ledger entry types',
  ADMIN_REFERENCE_TYPE: "the constant 'admin' reference type",
  "userId === undefined ? '' : 'AND t.user_id = @userId'": 'a literal ternary',
  "userId === undefined ? '' : 'WHERE user_id = ?'": 'a literal ternary',
  "userId === undefined ? '' : 'WHERE id = ?'": 'a literal ternary',
  scope: "'1' or a check's constant userScope fragment",
  'quotedLiteral(table)': 'a quoted name from the fixed list of checked tables',
  key: 'a constant column name in migration 006',
  order: 'a constant ORDER BY column list in migration 006',
  "numberExisting('transactions', 'id', 'id')": 'migration 006, constant arguments',
  "numberOnInsert('transactions', 'id')": 'migration 006, constant arguments',
  "numberExisting('video_generations', 'id', 'created_at, id')":
    'migration 006, constant arguments',
  "numberOnInsert('video_generations', 'id')": 'migration 006, constant arguments',
  "numberExisting('payments', 'id', 'created_at, id')": 'migration 006, constant arguments',
  "unique.map(() => '?').join(', ')": 'one placeholder per id',
  chargeFunction: "PostgreSQL migration 010: migration 004's constant text, one constant rewrite",
  // The test-data facade (sqlite/test-query.ts, reached only from tests): every name is a
  // checked identifier or a TEST_TABLES member, every value a placeholder.
  conditions: '`<checked identifier> <operator> ?` fragments joined with AND',
  from: 'a TEST_TABLES member, checked against the list',
  filter: "'' or the WHERE clause of checked identifiers and placeholders",
  summed: 'a checked identifier',
  columns: "checked identifiers joined with ', ', or *",
  ordering: "a checked identifier, optionally ' DESC'",
  limit: "'' or ' LIMIT <integer>' (Math.trunc)",
  'Math.trunc(q.limit)': 'an integer',
  'quote(table)':
    'db:migrate-to-postgres: client.escapeIdentifier of names from the fixed table/column lists checked against both schemas',
  'ident(this.client, column)':
    'db:migrate-to-postgres: client.escapeIdentifier of names from the fixed table/column lists checked against both schemas',
  quotedColumns:
    'db:migrate-to-postgres: client.escapeIdentifier of names from the fixed table/column lists checked against both schemas',
  'ident(this.client, table)':
    'db:migrate-to-postgres: client.escapeIdentifier of names from the fixed table/column lists checked against both schemas',
  CATALOGUE: "the constant 'credit_packages' (db:migrate-to-postgres)",
  'ident(client, table)':
    'db:migrate-to-postgres: client.escapeIdentifier of names from the fixed table/column lists checked against both schemas',
};

describe('A8: static check of the store source', () => {
  const files = sourceFiles(storeDir);

  it('finds the store sources', () => {
    expect(files.length).toBeGreaterThan(3);
  });

  it('interpolates only allowlisted fixed fragments into SQL text', () => {
    const found: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const literal of text.matchAll(/`[^`]*`/gs)) {
        const body = literal[0];
        if (!body.includes('${') || !SQL_WORDS.test(body)) continue;
        for (const m of body.matchAll(/\$\{([^}]*)\}/g)) {
          const expr = m[1]!.trim();
          found.push(`${path.basename(file)}: ${expr}`);
          expect(
            Object.keys(ALLOWED_INTERPOLATIONS),
            `${path.relative(storeDir, file)} interpolates \`${expr}\` into SQL: ${body.slice(0, 120)}`,
          ).toContain(expr);
        }
      }
    }
    // The scan really saw the dynamic statements it vouches for.
    expect(found.length).toBeGreaterThanOrEqual(6);
  });

  it('builds each allowlisted fragment from literals only', () => {
    // The SQLite adapter is split by aggregate: its fragments may sit in any of its modules.
    const store = sourceFiles(path.join(storeDir, 'sqlite'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const pushes = [...store.matchAll(/where\.push\(([^)]*)\)/g)].map((m) => m[1]!.trim());
    expect(pushes.length).toBeGreaterThan(0);
    for (const arg of pushes) expect(arg).toMatch(/^('[^'`$]*'|"[^"`$]*")$/);
    for (const m of store.matchAll(/const clause = ([^;]*);/g)) {
      expect(m[1]!.trim()).toMatch(
        /^(where\.join\(' AND '\)|filter\.status\s*\?\s*'[^']*'\s*:\s*'[^']*')$/,
      );
    }
    expect(store).toMatch(/const marks = statuses\.map\(\(\) => '\?'\)\.join\(', '\);/);
    expect(store).toMatch(/const column = PAYMENT_COLUMNS\[field\];\s*if \(!column\) throw/);
    expect(store).toMatch(/column: 'id' \| 'stripe_payment_intent_id'/);
    expect(store).toMatch(/sets\.push\(`\$\{column\} = @\$\{field\}`\)/);
  });
});
