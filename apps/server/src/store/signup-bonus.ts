import type { PlannedEntry } from './types.ts';

/** The welcome bonus's ledger entry, the same from every adapter and every signup path. */
export function signupBonusEntry(userId: string, amount: number): PlannedEntry {
  return {
    type: 'bonus',
    amount,
    referenceType: 'signup',
    referenceId: userId,
    description: 'Welcome bonus',
  };
}
