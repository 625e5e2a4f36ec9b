import {
  ADD_ON_CREDITS,
  ADD_ONS,
  RESOLUTIONS,
  type SpendSummaryQuery,
  type SpendSummaryResponse,
} from '@app/shared';
import type { Actor, ServiceContext } from '../context.ts';

const DAY_MS = 86_400_000;

/** YYYY-MM-DD of an instant on a clock `offsetMinutes` east of UTC. */
const localDate = (ms: number, offsetMinutes: number) =>
  new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);

/**
 * Spending over the last `days` local days (today included): per day, and per feature. A
 * video's charge is split with the price table: its add-ons at their flat price, the rest to
 * its resolution's minutes. Refunds are reported beside it, not apportioned to features.
 */
export async function getSpendSummary(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: SpendSummaryQuery;
}): Promise<SpendSummaryResponse> {
  const { ctx, input: query } = options;
  const offset = query.tzOffsetMinutes;
  const nowMs = ctx.now().getTime();
  // The caller's local midnight `days - 1` days ago, as a UTC instant.
  const firstDay = localDate(nowMs - (query.days - 1) * DAY_MS, offset);
  const fromMs = Date.parse(`${firstDay}T00:00:00.000Z`) - offset * 60_000;
  const from = new Date(fromMs).toISOString();
  const rows = await ctx.store.spendSummary({
    userId: options.actor.userId,
    from,
    tzOffsetMinutes: offset,
  });

  const daily = Array.from({ length: query.days }, (_, i) => ({
    date: localDate(fromMs + i * DAY_MS + DAY_MS / 2, offset),
    spent: 0,
    refunded: 0,
    purchased: 0,
  }));
  const byDate = new Map(daily.map((d) => [d.date, d]));
  for (const row of rows.daily) {
    const day = byDate.get(row.date);
    if (!day) continue;
    if (row.type === 'usage') day.spent += -row.amount;
    else if (row.type === 'refund') day.refunded += row.amount;
    else if (row.type === 'purchase') day.purchased += row.amount;
  }

  const addOnVideos = Object.fromEntries(ADD_ONS.map((a) => [a, 0])) as Record<
    (typeof ADD_ONS)[number],
    number
  >;
  const byResolution = new Map(RESOLUTIONS.map((r) => [r, { credits: 0, videos: 0 }]));
  for (const row of rows.usage) {
    let addOnCredits = 0;
    for (const addOn of ADD_ONS) {
      addOnVideos[addOn] += row[addOn];
      addOnCredits += row[addOn] * ADD_ON_CREDITS[addOn];
    }
    const entry = byResolution.get(row.resolution);
    if (entry) {
      entry.credits += row.credits - addOnCredits;
      entry.videos += row.videos;
    }
  }
  const byFeature = [
    ...RESOLUTIONS.map((r) => ({ feature: r, ...byResolution.get(r)! })),
    ...ADD_ONS.map((a) => ({
      feature: a,
      credits: addOnVideos[a] * ADD_ON_CREDITS[a],
      videos: addOnVideos[a],
    })),
  ];

  const spent = daily.reduce((sum, d) => sum + d.spent, 0);
  const refunded = daily.reduce((sum, d) => sum + d.refunded, 0);
  const purchased = daily.reduce((sum, d) => sum + d.purchased, 0);
  const videos = rows.usage.reduce((sum, r) => sum + r.videos, 0);
  return {
    days: query.days,
    from,
    daily,
    byFeature,
    totals: { spent, refunded, net: spent - refunded, purchased, videos },
  };
}
