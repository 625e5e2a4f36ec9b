import type { CoreContext } from '../context.ts';

const BATCH = 500;
const DAY_MS = 86_400_000;

/**
 * Forgets outbox mail that is finished (sent, or given up on) and older than the retention,
 * so the outbox holds one retention window of mail, not every message ever sent. Pending
 * mail is never touched, however old: it has not been delivered yet.
 */
export async function pruneFinishedMail(options: { ctx: CoreContext }): Promise<number> {
  const { ctx } = options;
  const createdBefore = new Date(
    ctx.now().getTime() - ctx.config.mailRetentionDays * DAY_MS,
  ).toISOString();
  let total = 0;
  for (;;) {
    const deleted = await ctx.store.pruneFinishedMail({ createdBefore, limit: BATCH });
    total += deleted;
    if (deleted < BATCH) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (total > 0) ctx.log.info({ deleted: total, createdBefore }, 'old outbox mail pruned');
  return total;
}
