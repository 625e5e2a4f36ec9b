import type {
  BeginIdempotentRequestInput,
  CompleteIdempotentRequestInput,
  IdempotencyBegin,
  PruneIdempotencyRecordsInput,
  ReleaseIdempotentRequestInput,
} from '../types.ts';
import { lockUser } from './ledger.ts';
import type { Q } from './sql.ts';

/**
 * Idempotency-Key records of the generic middleware, as sqlite/idempotency.ts. The charge's
 * own record is looked up and written by `charge_video` (migration 2), in SQL.
 */

const idempotencyRecord = (q: Q, userId: string, scope: string, key: string) =>
  q.get('SELECT * FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ?', [
    userId,
    scope,
    key,
  ]);

export async function beginIdempotentRequest(
  q: Q,
  input: BeginIdempotentRequestInput,
): Promise<IdempotencyBegin> {
  // User first, then the key: two instances with the same key queue here, and the second
  // finds the first one's record instead of failing on the primary key.
  await lockUser(q, input.userId);
  const row = await idempotencyRecord(q, input.userId, input.scope, input.key);
  if (row) {
    if (row.request_hash !== input.requestHash) return { state: 'mismatch' };
    if (row.state === 'completed') {
      return {
        state: 'completed',
        status: row.response_status as number,
        body: row.response_body as string,
      };
    }
    if ((row.updated_at as string) >= input.staleBefore) return { state: 'in_progress' };
    await q.run(
      'UPDATE idempotency_keys SET updated_at = ? WHERE user_id = ? AND scope = ? AND key = ?',
      [input.now, input.userId, input.scope, input.key],
    );
    return { state: 'started' };
  }
  await q.run(
    `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'in_progress', ?, ?)`,
    [input.userId, input.scope, input.key, input.requestHash, input.now, input.now],
  );
  return { state: 'started' };
}

export async function completeIdempotentRequest(
  q: Q,
  input: CompleteIdempotentRequestInput,
): Promise<void> {
  await q.run(
    `UPDATE idempotency_keys SET state = 'completed', response_status = ?, response_body = ?,
         updated_at = ? WHERE user_id = ? AND scope = ? AND key = ?`,
    [input.status, input.body, input.now, input.userId, input.scope, input.key],
  );
}

export async function releaseIdempotentRequest(
  q: Q,
  input: ReleaseIdempotentRequestInput,
): Promise<void> {
  await q.run(
    `DELETE FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ? AND state = 'in_progress'`,
    [input.userId, input.scope, input.key],
  );
}

export const pruneIdempotencyRecords = (
  q: Q,
  input: PruneIdempotencyRecordsInput,
): Promise<number> =>
  q.run(
    `DELETE FROM idempotency_keys WHERE (user_id, scope, key) IN (
       SELECT user_id, scope, key FROM idempotency_keys
       WHERE created_at < ? AND state = 'completed' ORDER BY created_at LIMIT ?)`,
    [input.createdBefore, input.limit],
  );
