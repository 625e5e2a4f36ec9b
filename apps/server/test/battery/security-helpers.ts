import { expect } from 'vitest';
import type { Harness, TestUser } from '../helpers/harness.ts';
import type { WritableTable } from '../../src/store/test-data.ts';
import { pay, startPurchase } from '../helpers/payments.ts';

/** Helpers shared by the security battery (section D); real HTTP over loopback with fetch. */

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
  ms: number;
}

export interface RawRequest {
  method?: string;
  /** Sent as is: callers build JSON text themselves (to send `__proto__` keys, 1e999, ...). */
  body?: string | Buffer;
  headers?: Record<string, string>;
  token?: string;
}

/** One request with the body exactly as given; Content-Type defaults to JSON when a body is sent. */
export async function raw(h: Harness, path: string, req: RawRequest = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.body !== undefined && !Object.keys(headers).some((k) => /^content-type$/i.test(k))) {
    headers['Content-Type'] = 'application/json';
  }
  if (req.token) headers.Authorization = `Bearer ${req.token}`;
  const started = performance.now();
  const res = await fetch(h.baseUrl + path, {
    method: req.method ?? (req.body === undefined ? 'GET' : 'POST'),
    headers,
    body: req.body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, ms };
}

export type RowCounts = Record<WritableTable, number>;

/** Row counts of every table a request could write, including the idempotency records. */
export function rowCounts(h: Pick<Harness, 'data'>): Promise<RowCounts> {
  return h.data.countAll();
}

/** Buys a package through the real flow (create-intent, pay at the emulator, webhook). */
export async function buyCredits(h: Harness, user: TestUser, packageId: number) {
  const intent = await startPurchase(h, user, packageId);
  await pay(h, intent.paymentIntentId);
  await h.emulator.control.waitForIdle();
  const res = await raw(h, `/api/payments/${intent.paymentId}`, { token: user.token });
  expect(res.status).toBe(200);
  return intent;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A seed per property run, printed so any failure can be replayed. */
export function propertySeed(label: string): number {
  const seed = (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
  console.log(`${label} seed: ${seed}`);
  return seed;
}

/** The payloads every string field and query parameter gets in the injection sweep. */
export const SQL_INJECTIONS = [
  "' OR '1'='1",
  "' OR 1=1 --",
  '" OR ""="',
  "'; DROP TABLE transactions; --",
  "'); DELETE FROM users; --",
  "1' UNION SELECT id, email, password_hash, 1, 1, 1, 1, 1 FROM users --",
  "' UNION SELECT NULL, sqlite_version() --",
  '1; UPDATE users SET credit_balance = 999999 --',
  "' AND (SELECT COUNT(*) FROM users) > 0 --",
  '%',
  '_',
  '\\',
  "admin'--",
  '1) OR (1=1',
  "x' || (SELECT password_hash FROM users LIMIT 1) || '",
  "'; ATTACH DATABASE '/tmp/pwn.db' AS pwn; --",
  '@userId',
  ':userId',
  '?',
  '$1',
  '\u0000',
  "' OR credit_balance > 0 OR '",
];
