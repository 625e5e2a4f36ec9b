import type { Resolution, TransactionType } from '@app/shared';
import type { Page, PageResult } from './page.ts';

export interface LedgerEntry {
  id: number;
  userId: string;
  type: TransactionType;
  amount: number;
  balanceAfter: number;
  referenceType: string;
  referenceId: string;
  description: string;
  createdAt: string;
}

/** A ledger effect planned by a service; the adapter applies it with the balance rules. */
export interface PlannedEntry {
  type: TransactionType;
  amount: number;
  referenceType: string;
  referenceId: string;
  description: string;
}

export interface TransactionFilter {
  type?: TransactionType;
  from?: string;
  to?: string;
}

export interface ListTransactionsInput {
  userId: string;
  filter: TransactionFilter;
  page: Page;
}

/** One keyset batch: the user's entries written before entry `beforeId` (all when omitted). */
export interface TransactionBatch {
  beforeId?: number;
  limit: number;
}

/** Sums of one user's ledger over a range, grouped as the spend summary shows them. */
export interface SpendSummaryRows {
  /** Per local day (YYYY-MM-DD) and ledger type: the signed sum of the amounts. */
  daily: { date: string; type: TransactionType; amount: number }[];
  /** Usage entries in the range, per resolution: credits charged, videos, and add-on counts. */
  usage: {
    resolution: Resolution;
    credits: number;
    videos: number;
    customMusic: number;
    premiumTTS: number;
    aiEnhancement: number;
  }[];
}

export interface ListTransactionsBeforeInput {
  userId: string;
  filter: TransactionFilter;
  batch: TransactionBatch;
}

export interface SpendSummaryInput {
  userId: string;
  from: string;
  tzOffsetMinutes: number;
}

export interface GetBalanceInput {
  userId: string;
}

/** The cached balance of a user (kept equal to the ledger's sum by the database). */
export interface Balance {
  creditBalance: number;
  totalCreditsPurchased: number;
}

/** Reading the ledger; writes happen inside the money operations of the other aggregates. */
export interface LedgerStore {
  listTransactions(input: ListTransactionsInput): Promise<PageResult<LedgerEntry>>;
  /**
   * Up to `limit` entries of the filter written before entry `beforeId` (all when omitted),
   * newest first: one keyset batch of an export, never the whole history at once.
   */
  listTransactionsBefore(input: ListTransactionsBeforeInput): Promise<LedgerEntry[]>;
  /** The user's ledger from `from` on, summed per day (shifted by `tzOffsetMinutes`) and feature. */
  spendSummary(input: SpendSummaryInput): Promise<SpendSummaryRows>;
  getBalance(input: GetBalanceInput): Promise<Balance | null>;
}
