/** The Idempotency-Key of a request: its scope, the client's key and the request's fingerprint. */
export interface IdempotencyKeyRef {
  scope: string;
  key: string;
  requestHash: string;
}

export type IdempotencyBegin =
  | { state: 'started' }
  | { state: 'in_progress' }
  | { state: 'mismatch' }
  | { state: 'completed'; status: number; body: string };

export interface BeginIdempotentRequestInput extends IdempotencyKeyRef {
  userId: string;
  now: string;
  /** A record in progress last touched before this was left by a crashed request. */
  staleBefore: string;
}

export interface CompleteIdempotentRequestInput {
  userId: string;
  scope: string;
  key: string;
  status: number;
  body: string;
  now: string;
}

export interface ReleaseIdempotentRequestInput {
  userId: string;
  scope: string;
  key: string;
}

export interface PruneIdempotencyRecordsInput {
  createdBefore: string;
  limit: number;
}

/**
 * Idempotency-Key records of the generic middleware (the charge writes its own in its
 * transaction: `chargeAndCreateVideo`). Both paths look a key up the same way.
 */
export interface IdempotencyStore {
  beginIdempotentRequest(input: BeginIdempotentRequestInput): Promise<IdempotencyBegin>;
  completeIdempotentRequest(input: CompleteIdempotentRequestInput): Promise<void>;
  /**
   * Forgets a request in progress that did not finish (its handler failed). A request whose
   * process died is not released by anyone: its record goes stale after `staleBefore` and the
   * next attempt with the key takes it over. Nothing is released "at start-up": with several
   * instances, another live one may still be working on it.
   */
  releaseIdempotentRequest(input: ReleaseIdempotentRequestInput): Promise<void>;
  /**
   * Deletes up to `limit` completed idempotency records created before `createdBefore`
   * (oldest first) and returns how many went; records in progress are never touched.
   */
  pruneIdempotencyRecords(input: PruneIdempotencyRecordsInput): Promise<number>;
}
