import { z } from 'zod';
import { ADD_ON_CREDITS, RESOLUTIONS, totalCredits, type CreditPackage } from './pricing.ts';

/**
 * The smallest pack (fewest total credits, then cheapest) that covers `shortfall` credits, or
 * the largest one when none does. Used by the studio to offer one pack in place of a refusal.
 */
export function smallestPackCovering<
  P extends Pick<CreditPackage, 'credits' | 'bonusCredits' | 'priceCents'>,
>(shortfall: number, packages: readonly P[]): P | undefined {
  const bySize = [...packages].sort(
    (a, b) => totalCredits(a) - totalCredits(b) || a.priceCents - b.priceCents,
  );
  return bySize.find((p) => totalCredits(p) >= shortfall) ?? bySize[bySize.length - 1];
}

// ---------- spend summary ----------
/** The ranges the web app offers; the API takes any whole number of days up to a year. */
export const SPEND_RANGE_DAYS = [7, 30, 90] as const;
export const MAX_SPEND_RANGE_DAYS = 366;

export const SpendSummaryQuerySchema = z.strictObject({
  days: z.coerce.number().int().min(1).max(MAX_SPEND_RANGE_DAYS).default(30),
  /** Minutes east of UTC of the caller's clock (the negated `Date#getTimezoneOffset`). */
  tzOffsetMinutes: z.coerce.number().int().min(-840).max(840).default(0),
});
export type SpendSummaryQuery = z.infer<typeof SpendSummaryQuerySchema>;

/** What credits were spent on: the rendered minutes of each resolution, and each add-on. */
export const SPEND_FEATURES = [
  ...RESOLUTIONS,
  ...(Object.keys(ADD_ON_CREDITS) as (keyof typeof ADD_ON_CREDITS)[]),
] as const;
export type SpendFeature = (typeof SPEND_FEATURES)[number];

export const SpendDaySchema = z.object({
  /** Local calendar day of the caller (YYYY-MM-DD). */
  date: z.string(),
  /** Credits charged for videos that day (positive). */
  spent: z.number().int(),
  /** Credits given back for failed or canceled videos that day. */
  refunded: z.number().int(),
  /** Credits bought that day. */
  purchased: z.number().int(),
});

export const SpendSummaryResponseSchema = z.object({
  days: z.number().int(),
  /** First instant of the range (the caller's local midnight, in UTC). */
  from: z.string(),
  daily: z.array(SpendDaySchema),
  byFeature: z.array(
    z.object({
      feature: z.enum(SPEND_FEATURES),
      /** Credits charged for this feature in the range (before refunds). */
      credits: z.number().int(),
      videos: z.number().int(),
    }),
  ),
  totals: z.object({
    spent: z.number().int(),
    refunded: z.number().int(),
    net: z.number().int(),
    purchased: z.number().int(),
    videos: z.number().int(),
  }),
});
export type SpendSummaryResponse = z.infer<typeof SpendSummaryResponseSchema>;

/** Delete answers 204; the video and its files are gone, its ledger entries stay. */
export const DeleteVideoRequestSchema = z.strictObject({}).optional();
