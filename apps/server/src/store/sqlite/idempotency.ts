import type {
  BeginIdempotentRequestInput,
  ChargeOutcome,
  ChargeVideoResult,
  CompleteIdempotentRequestInput,
  IdempotencyBegin,
  IdempotencyKeyRef,
  PruneIdempotencyRecordsInput,
  ReleaseIdempotentRequestInput,
} from '../types.ts';
import type { Db } from './open.ts';
import { statement } from './statements.ts';

/** Idempotency-Key records; every function runs inside the caller's transaction. */

type Row = Record<string, unknown>;

/** The one lookup of a key's record, for the generic middleware and the charge alike. */
export function idempotencyRecord(
  db: Db,
  userId: string,
  ref: { scope: string; key: string },
): Row | undefined {
  return statement(
    db,
    'SELECT * FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ?',
  ).get(userId, ref.scope, ref.key) as Row | undefined;
}

export function beginIdempotentRequest(
  db: Db,
  input: BeginIdempotentRequestInput,
): IdempotencyBegin {
  const row = idempotencyRecord(db, input.userId, input);
  if (row) {
    if (row.request_hash !== input.requestHash) return { state: 'mismatch' };
    if (row.state === 'completed') {
      return {
        state: 'completed',
        status: row.response_status as number,
        body: row.response_body as string,
      };
    }
    // An in-progress record left by a crashed process must not block the key forever.
    if ((row.updated_at as string) >= input.staleBefore) return { state: 'in_progress' };
    statement(
      db,
      'UPDATE idempotency_keys SET updated_at = ? WHERE user_id = ? AND scope = ? AND key = ?',
    ).run(input.now, input.userId, input.scope, input.key);
    return { state: 'started' };
  }
  statement(
    db,
    `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'in_progress', ?, ?)`,
  ).run(input.userId, input.scope, input.key, input.requestHash, input.now, input.now);
  return { state: 'started' };
}

export function completeIdempotentRequest(db: Db, input: CompleteIdempotentRequestInput): void {
  statement(
    db,
    `UPDATE idempotency_keys SET state = 'completed', response_status = ?, response_body = ?,
         updated_at = ? WHERE user_id = ? AND scope = ? AND key = ?`,
  ).run(input.status, input.body, input.now, input.userId, input.scope, input.key);
}

export function releaseIdempotentRequest(db: Db, input: ReleaseIdempotentRequestInput): void {
  statement(
    db,
    `DELETE FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ? AND state = 'in_progress'`,
  ).run(input.userId, input.scope, input.key);
}

export function pruneIdempotencyRecords(db: Db, input: PruneIdempotencyRecordsInput): number {
  return statement(
    db,
    `DELETE FROM idempotency_keys WHERE rowid IN (
       SELECT rowid FROM idempotency_keys
       WHERE created_at < ? AND state = 'completed' ORDER BY created_at LIMIT ?)`,
  ).run(input.createdBefore, input.limit).changes;
}

/** A charge's record, completed at once: it is written in the charge's own transaction. */
export function recordOutcome(
  db: Db,
  userId: string,
  idem: IdempotencyKeyRef,
  outcome: ChargeOutcome,
  now: string,
): void {
  statement(
    db,
    `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, outcome,
       created_at, updated_at) VALUES (?, ?, ?, ?, 'completed', ?, ?, ?)`,
  ).run(userId, idem.scope, idem.key, idem.requestHash, JSON.stringify(outcome), now, now);
}

/** A completed charge record: its outcome, or the HTTP reply of a record older than migration 14. */
export function replayOf(row: Row): ChargeVideoResult {
  if (row.outcome !== null) {
    return { kind: 'replayed', outcome: JSON.parse(row.outcome as string) as ChargeOutcome };
  }
  return {
    kind: 'replayed_reply',
    status: row.response_status as number,
    body: row.response_body as string,
  };
}
