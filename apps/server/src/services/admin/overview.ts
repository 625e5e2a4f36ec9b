import type { OverviewResponse } from '@app/shared';
import { CREDIT_PACKAGES } from '@app/shared';
import type { ServiceContext } from '../context.ts';

const DAY_MS = 24 * 3600 * 1000;

/**
 * The numbers operators look at daily, one row per UTC day of the window (days without
 * activity included, so charts keep their time axis), plus the queue right now.
 */
export async function getOverview(options: {
  ctx: ServiceContext;
  input: { days: number };
}): Promise<OverviewResponse> {
  const { ctx } = options;
  const today = new Date(ctx.now().toISOString().slice(0, 10));
  const first = new Date(today.getTime() - (options.input.days - 1) * DAY_MS);
  const stats = await ctx.store.admin.overview({ since: first.toISOString() });
  const byDay = new Map(stats.days.map((d) => [d.day, d]));
  const days: OverviewResponse['days'] = [];
  for (let t = first.getTime(); t <= today.getTime(); t += DAY_MS) {
    const key = new Date(t).toISOString().slice(0, 10);
    const d = byDay.get(key);
    days.push({
      day: key,
      revenueCents: d?.revenueCents ?? 0,
      creditsSold: d?.creditsSold ?? 0,
      creditsSpent: d?.creditsSpent ?? 0,
      paymentsSucceeded: d?.paymentsSucceeded ?? 0,
      paymentsFailed: d?.paymentsFailed ?? 0,
      failedRenders: d?.failedRenders ?? 0,
    });
  }
  const sum = (f: (d: (typeof stats.days)[number]) => number) =>
    stats.days.reduce((n, d) => n + f(d), 0);
  const succeeded = sum((d) => d.paymentsSucceeded);
  const failed = sum((d) => d.paymentsFailed);
  const refunded = sum((d) => d.paymentsRefunded);
  return {
    days,
    totals: {
      revenueCents: sum((d) => d.revenueCents),
      creditsSold: sum((d) => d.creditsSold),
      creditsSpent: sum((d) => d.creditsSpent),
      paymentSuccessRate: succeeded + failed > 0 ? succeeded / (succeeded + failed) : null,
      refundRate: succeeded > 0 ? refunded / succeeded : null,
      failedRenders: sum((d) => d.failedRenders),
    },
    queue: stats.queue,
    pendingApprovals: stats.pendingApprovals,
    currency: CREDIT_PACKAGES[0]?.currency ?? 'usd',
  };
}
