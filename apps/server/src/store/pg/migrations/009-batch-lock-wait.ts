/**
 * A batch waits at most a quarter of a second for a row lock. Its charges belong to many
 * users; one user's row held elsewhere (a long transaction, an operator's session) would
 * otherwise hold every other charge of the batch up to the connection's lock timeout (5 s).
 * Past the quarter second the batch fails as a lock timeout, nothing of it written, and the
 * adapter sends its charges one by one (charge-batcher.ts), each with the full timeout: only
 * the held user's charge waits. Batches waiting on each other's users (one hot account on
 * several instances) wait a few milliseconds per batch ahead, well inside the bound.
 */
export const sql = /* sql */ `
ALTER FUNCTION charge_videos(jsonb) SET lock_timeout = '250ms';
`;
