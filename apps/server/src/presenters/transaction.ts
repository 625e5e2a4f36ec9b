import type { Transaction } from '@app/shared';
import type { LedgerEntry } from '../store/types.ts';

/** `videoPrompt` only where the caller looked it up (the list); the CSV export has no column for it. */
export const presentTransaction = (e: LedgerEntry, videoPrompt?: string | null): Transaction => ({
  id: e.id,
  type: e.type,
  amount: e.amount,
  balanceAfter: e.balanceAfter,
  referenceType: e.referenceType,
  referenceId: e.referenceId,
  description: e.description,
  ...(videoPrompt === undefined ? {} : { videoPrompt }),
  createdAt: e.createdAt,
});
