import type { SettlementOutcome } from './types.ts';

/**
 * One word for a settlement, as operators read it in the webhook-event log and in the
 * webhook's answer: its outcomes joined with `+` (`credited+clawed_back`).
 */
export const settlementLabel = (outcomes: readonly SettlementOutcome[]): string =>
  outcomes.join('+');
