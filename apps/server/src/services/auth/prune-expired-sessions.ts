import type { CoreContext } from '../context.ts';

const BATCH = 500;

/**
 * Deletes sessions whose token has expired (revoked or not): such a token is refused by its
 * signature already, so the row has no use left. Small batches, each its own transaction,
 * with the event loop free in between, as for idempotency keys.
 */
export async function pruneExpiredSessions(options: { ctx: CoreContext }): Promise<number> {
  const { ctx } = options;
  const expiredBefore = ctx.now().toISOString();
  let total = 0;
  for (;;) {
    const deleted = await ctx.store.pruneSessions({ expiredBefore, limit: BATCH });
    total += deleted;
    if (deleted < BATCH) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (total > 0) ctx.log.info({ deleted: total }, 'expired sessions pruned');
  return total;
}
