import type { TransactionType } from '@app/shared';
import type { LedgerEntry } from './types.ts';

/**
 * What tests write and read around the domain operations, implemented once per adapter
 * (sqlite/test-data.ts, pg/test-data.ts) so a test never holds a driver or writes SQL. It is
 * reached through each adapter's own factory, never through `Store`, so the product's
 * interface carries nothing test-only.
 */

/** The tables a test may look at; anything else is not addressable. */
export const TEST_TABLES = [
  'users',
  'sessions',
  'account_tokens',
  'transactions',
  'payments',
  'video_generations',
  'stripe_events',
  'idempotency_keys',
  'mail_outbox',
  'admin_audit_log',
  'admin_approvals',
] as const;
export type TestTable = (typeof TEST_TABLES)[number];

/** Every table a request can write to: a refused request must leave all of them unchanged. */
export const WRITABLE_TABLES = [
  'users',
  'transactions',
  'payments',
  'video_generations',
  'stripe_events',
  'idempotency_keys',
] as const satisfies readonly TestTable[];
export type WritableTable = (typeof WRITABLE_TABLES)[number];

export type Cell = string | number | null;
/**
 * One column's condition: equal to a value, LIKE a pattern, one of a list, or before, after
 * or inside a range of text values (timestamps compare as ISO text in both adapters).
 */
export type Match =
  | Cell
  | { like: string }
  | { in: readonly Cell[] }
  | { before: string }
  | { after: string }
  | { from?: string; to?: string };
/** Column name to condition, all of them ANDed. Column names are checked to be identifiers. */
export type Where = Readonly<Record<string, Match>>;
export type Row = Record<string, unknown>;

export interface RowQuery {
  table: TestTable;
  where?: Where;
  /** Default every column. */
  columns?: readonly string[];
  /** Default the table's key order (id, or key for idempotency records). */
  orderBy?: string;
  desc?: boolean;
  limit?: number;
}

export interface VideoSummary {
  id: string;
  status: string;
  key: string | null;
  cost: number;
  refunded: number;
  error: string | null;
  attempts: number;
  filePath: string | null;
}

export interface BulkEntries {
  userId: string;
  count: number;
  /** Timestamp of the first entry; each next one is `stepMs` later. */
  start: Date;
  stepMs: number;
  /** The description of entry `i` (default: a sentence of realistic length). */
  description?: (i: number) => string;
}

export interface SeededMail {
  messageId: string;
  state: 'pending' | 'sending' | 'sent' | 'failed' | 'canceled';
  createdAt: string;
  userId?: string | null;
}

export interface TestData {
  /** Credits (or debits) a user through the adapter's own ledger writer, in one transaction. */
  grantCredits(input: {
    userId: string;
    amount: number;
    type?: TransactionType;
    referenceType?: string;
    referenceId?: string;
    description?: string;
  }): Promise<void>;
  /**
   * Appends `count` valid entries (bonus 7, adjustment -3, refund 2, adjustment -4, repeated:
   * +2 every four, never below 0) in one transaction, each checked by the same rules as the
   * store's own writes, so fixtures of many thousand entries take moments.
   */
  appendLedgerEntries(input: BulkEntries): Promise<void>;

  countRows(input: { table: TestTable; where?: Where }): Promise<number>;
  /** Row counts of several tables at once (default: every writable table). */
  countAll(input?: { tables?: readonly WritableTable[] }): Promise<Record<WritableTable, number>>;
  /** Rows with the database's own column names (snake_case) and values. */
  rows(input: RowQuery): Promise<Row[]>;
  /** SUM of a column over the matching rows (0 when none). */
  sum(input: { table: TestTable; column: string; where?: Where }): Promise<number>;

  ledgerOf(input: { userId: string }): Promise<LedgerEntry[]>;
  /** A video's ledger effects in order: its usage and any refund. */
  videoEntries(input: { videoId: string }): Promise<Array<{ type: string; amount: number }>>;
  videosOf(input: { userId: string }): Promise<VideoSummary[]>;
  balanceOf(input: { userId: string }): Promise<number>;
  balances(): Promise<Array<{ id: string; creditBalance: number }>>;
  auditLog(): Promise<Row[]>;

  /** Moves an Idempotency-Key record back in time, as if it had been made `at`. */
  ageIdempotencyRecord(input: { userId: string; key: string; at: string }): Promise<void>;
  /** `count` completed records (keys `${prefix}${i}`) made `at`: a backlog to prune. */
  seedIdempotencyRecords(input: {
    userId: string;
    count: number;
    at: string;
    prefix: string;
  }): Promise<void>;
  /**
   * A completed Idempotency-Key record as written before records kept the domain outcome:
   * only the reply (status and body) is stored.
   */
  recordLegacyReply(input: {
    userId: string;
    scope: string;
    key: string;
    requestHash: string;
    status: number;
    body: string;
  }): Promise<void>;
  /** Makes an account link expire at `at`. */
  expireAccountToken(input: { tokenHash: string; at: string }): Promise<void>;
  /** Changes an address behind the service's back, as another request would have. */
  setUserEmail(input: { userId: string; email: string }): Promise<void>;
  /** Empties the tables that pruning keeps bounded, so a test counts from zero. */
  clearPrunable(input: {
    tables: ReadonlyArray<'stripe_events' | 'idempotency_keys'>;
  }): Promise<void>;
  seedMail(input: { mail: readonly SeededMail[] }): Promise<void>;
  /** Forgets which PaymentIntent a payment made, as an old client's record would. */
  detachPaymentIntent(input: { paymentId: string }): Promise<void>;
  /** Marks a queued video as claimed by a worker that is gone and will never finish it. */
  orphanVideo(input: { videoId: string }): Promise<void>;

  /** Tries to change a ledger entry as the server's own connection; returns the error. */
  tamperLedger(): Promise<unknown>;
  /** Tries to change an audit entry as the server's own connection; returns the error. */
  tamperAuditLog(): Promise<unknown>;
}

/** The repeating pattern of bulk entries: it nets +2 credits every four, so never goes below 0. */
export const BULK_PATTERN = [
  { type: 'bonus', amount: 7 },
  { type: 'adjustment', amount: -3 },
  { type: 'refund', amount: 2 },
  { type: 'adjustment', amount: -4 },
] as const;

export const bulkDescription = (i: number) => `Bulk fixture entry number ${i} for tests`;
