import type { CoreContext } from '../context.ts';

const BATCH = 500;
const HOUR_MS = 3_600_000;

/**
 * Forgets idempotency records older than the configured window (24 hours by default, as
 * Stripe does), so the table and its index stay the size of one window of traffic instead
 * of growing forever. Small batches, each its own transaction, with the event loop free in
 * between: a large backlog never holds the write lock or the loop for long.
 */
export async function pruneExpiredIdempotencyKeys(options: { ctx: CoreContext }): Promise<number> {
  const { ctx } = options;
  const createdBefore = new Date(
    ctx.now().getTime() - ctx.config.idempotencyKeyTtlHours * HOUR_MS,
  ).toISOString();
  let total = 0;
  for (;;) {
    const deleted = await ctx.store.pruneIdempotencyRecords({ createdBefore, limit: BATCH });
    total += deleted;
    if (deleted < BATCH) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (total > 0) ctx.log.info({ deleted: total, createdBefore }, 'expired idempotency keys pruned');
  return total;
}
