import { sql as init } from './001-init.ts';
import { sql as videoKeyIndex } from './002-video-key-index.ts';
import { sql as idempotencyKeyAge } from './003-idempotency-key-age.ts';
import { sql as sessions } from './004-sessions.ts';
import { sql as fairVideoQueue } from './005-fair-video-queue.ts';
import { sql as keysetPages } from './006-keyset-pages.ts';
import { sql as webhookEventAge } from './007-webhook-event-age.ts';
import { sql as accountsAndMail } from './008-accounts-and-mail.ts';
import { sql as adminConsole } from './009-admin-console.ts';
import { sql as videoLeases } from './010-video-leases.ts';
import { sql as videoLibrary } from './011-video-library.ts';
import { sql as mailOutboxRetention } from './012-mail-outbox-retention.ts';
import { sql as perUserQueueIndexes } from './013-per-user-queue-indexes.ts';
import { sql as idempotencyOutcome } from './014-idempotency-outcome.ts';
import { sql as chargeWritesFewerPages } from './015-charge-writes-fewer-pages.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: a released migration is never edited, a change is a new version. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'init', sql: init },
  { version: 2, name: 'video-key-index', sql: videoKeyIndex },
  { version: 3, name: 'idempotency-key-age', sql: idempotencyKeyAge },
  { version: 4, name: 'sessions', sql: sessions },
  { version: 5, name: 'fair-video-queue', sql: fairVideoQueue },
  { version: 6, name: 'keyset-pages', sql: keysetPages },
  { version: 7, name: 'webhook-event-age', sql: webhookEventAge },
  { version: 8, name: 'accounts-and-mail', sql: accountsAndMail },
  { version: 9, name: 'admin-console', sql: adminConsole },
  { version: 10, name: 'video-leases', sql: videoLeases },
  { version: 11, name: 'video-library', sql: videoLibrary },
  { version: 12, name: 'mail-outbox-retention', sql: mailOutboxRetention },
  { version: 13, name: 'per-user-queue-indexes', sql: perUserQueueIndexes },
  { version: 14, name: 'idempotency-outcome', sql: idempotencyOutcome },
  { version: 15, name: 'charge-writes-fewer-pages', sql: chargeWritesFewerPages },
];
