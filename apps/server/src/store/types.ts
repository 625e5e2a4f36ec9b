/**
 * The store's whole interface in one import path: each aggregate's records, named inputs and
 * operations live in types/<aggregate>.ts, and `Store` (types/store.ts) is all of them.
 */

export * from './types/page.ts';
export * from './types/users-sessions.ts';
export * from './types/accounts.ts';
export * from './types/mail.ts';
export * from './types/ledger.ts';
export * from './types/packages.ts';
export * from './types/idempotency.ts';
export * from './types/videos.ts';
export * from './types/payments.ts';
export * from './types/operations.ts';
export * from './types/store.ts';
