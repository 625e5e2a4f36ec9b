import type { CoreContext } from '../context.ts';

const BATCH = 500;
const DAY_MS = 86_400_000;

/**
 * Forgets webhook-event records older than the retention (30 days by default; Stripe stops
 * retrying after 3), so the table is one retention window of traffic instead of everything
 * ever received. Forgetting an id is safe: what stops a replayed event from crediting twice
 * is the payment's own state (a credited payment is not credited again, clawbacks are derived
 * from cumulative amounts) and the ledger's unique reference per effect, not this row; the
 * row only answers "duplicate_event" early. Small batches, each its own transaction, with
 * the event loop free in between, as for idempotency keys.
 */
export async function pruneWebhookEvents(options: { ctx: CoreContext }): Promise<number> {
  const { ctx } = options;
  const receivedBefore = new Date(
    ctx.now().getTime() - ctx.config.webhookEventRetentionDays * DAY_MS,
  ).toISOString();
  let total = 0;
  for (;;) {
    const deleted = await ctx.store.pruneStripeEvents({ receivedBefore, limit: BATCH });
    total += deleted;
    if (deleted < BATCH) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (total > 0) ctx.log.info({ deleted: total, receivedBefore }, 'old webhook events pruned');
  return total;
}
