import { sql as init } from './001-init.ts';
import { sql as videoKeyIndex } from './002-video-key-index.ts';
import { sql as idempotencyKeyAge } from './003-idempotency-key-age.ts';

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
];
