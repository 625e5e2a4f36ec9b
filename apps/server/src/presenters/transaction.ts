import type { Transaction } from '@app/shared';
import type { LedgerEntry } from '../store/types.ts';

export const presentTransaction = (e: LedgerEntry): Transaction => ({
  id: e.id,
  type: e.type,
  amount: e.amount,
  balanceAfter: e.balanceAfter,
  referenceType: e.referenceType,
  referenceId: e.referenceId,
  description: e.description,
  createdAt: e.createdAt,
});
