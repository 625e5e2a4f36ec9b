import type { AccountsStore } from './accounts.ts';
import type { IdempotencyStore } from './idempotency.ts';
import type { LedgerStore } from './ledger.ts';
import type { MailStore } from './mail.ts';
import type { OperationsStore } from './operations.ts';
import type { PackagesStore } from './packages.ts';
import type { PaymentsStore } from './payments.ts';
import type { UsersSessionsStore } from './users-sessions.ts';
import type { VideosStore } from './videos.ts';

/**
 * The data layer seen by services: domain operations, each atomic inside the adapter.
 * Services never see SQL or the driver; each adapter (SQLite, PostgreSQL) implements all of it.
 */
export interface Store
  extends
    UsersSessionsStore,
    AccountsStore,
    MailStore,
    LedgerStore,
    PackagesStore,
    IdempotencyStore,
    VideosStore,
    PaymentsStore,
    OperationsStore {}
