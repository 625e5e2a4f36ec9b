/**
 * The one pricing table of the product. Credits and cents are integers everywhere;
 * the server bills with `calculateCost` and the web app previews with the same function.
 */

export const RESOLUTIONS = ['720p', '1080p'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const CREDITS_PER_MINUTE: Readonly<Record<Resolution, number>> = {
  '720p': 5,
  '1080p': 8,
};

/** Flat per video, whatever its length. */
export const ADD_ON_CREDITS = {
  customMusic: 2,
  premiumTTS: 3,
  aiEnhancement: 4,
} as const;
export type AddOn = keyof typeof ADD_ON_CREDITS;
export const ADD_ONS = Object.keys(ADD_ON_CREDITS) as AddOn[];

export const MAX_DURATION_MINUTES = 60;
/** The shortest video anyone can order (6 seconds): schema, studio field and docs all use it. */
export const MIN_DURATION_MINUTES = 0.1;
export const SIGNUP_BONUS_CREDITS = 10;
export const LOW_BALANCE_THRESHOLD = 10;

export interface CreditPackage {
  id: number;
  name: string;
  credits: number;
  bonusCredits: number;
  priceCents: number;
  currency: 'usd';
  bestValue: boolean;
}

export const CREDIT_PACKAGES: readonly CreditPackage[] = [
  {
    id: 1,
    name: 'Starter',
    credits: 50,
    bonusCredits: 0,
    priceCents: 999,
    currency: 'usd',
    bestValue: false,
  },
  {
    id: 2,
    name: 'Pro',
    credits: 150,
    bonusCredits: 10,
    priceCents: 2499,
    currency: 'usd',
    bestValue: true,
  },
  {
    id: 3,
    name: 'Business',
    credits: 500,
    bonusCredits: 50,
    priceCents: 7999,
    currency: 'usd',
    bestValue: false,
  },
  {
    id: 4,
    name: 'Enterprise',
    credits: 2000,
    bonusCredits: 200,
    priceCents: 29999,
    currency: 'usd',
    bestValue: false,
  },
];

export function totalCredits(pkg: Pick<CreditPackage, 'credits' | 'bonusCredits'>): number {
  return pkg.credits + pkg.bonusCredits;
}

/** Price of one credit in a package, in hundredths of a cent (integer, rounded half up). */
export function pricePerCreditMillicents(pkg: CreditPackage): number {
  return Math.round((pkg.priceCents * 100) / totalCredits(pkg));
}

/** What `credits` are worth, in cents, at the rate of `pkg` (rounded to the nearest cent). */
export function creditsValueCents(credits: number, pkg: CreditPackage): number {
  return Math.round((credits * pkg.priceCents) / totalCredits(pkg));
}

export interface CostOptions {
  durationMinutes: number;
  resolution: Resolution;
  customMusic?: boolean;
  premiumTTS?: boolean;
  aiEnhancement?: boolean;
}

export interface CostBreakdown {
  billedMinutes: number;
  creditsPerMinute: number;
  baseCredits: number;
  addOns: Record<AddOn, number>;
  total: number;
}

export class InvalidCostOptionsError extends Error {}

/**
 * Billing is per started minute: 2.5 minutes of 720p is billed as 3 minutes (15 credits).
 * Throws on a duration outside [0.1, 60] so no caller can bill a nonsense request.
 */
export function calculateCost(options: CostOptions): CostBreakdown {
  const { durationMinutes, resolution } = options;
  if (!Number.isFinite(durationMinutes) || durationMinutes < MIN_DURATION_MINUTES) {
    throw new InvalidCostOptionsError(`durationMinutes must be at least ${MIN_DURATION_MINUTES}`);
  }
  if (durationMinutes > MAX_DURATION_MINUTES) {
    throw new InvalidCostOptionsError(`durationMinutes must be at most ${MAX_DURATION_MINUTES}`);
  }
  const creditsPerMinute = CREDITS_PER_MINUTE[resolution];
  if (creditsPerMinute === undefined) {
    throw new InvalidCostOptionsError(`unknown resolution ${String(resolution)}`);
  }
  const billedMinutes = Math.ceil(durationMinutes);
  const baseCredits = billedMinutes * creditsPerMinute;
  const addOns = {
    customMusic: options.customMusic ? ADD_ON_CREDITS.customMusic : 0,
    premiumTTS: options.premiumTTS ? ADD_ON_CREDITS.premiumTTS : 0,
    aiEnhancement: options.aiEnhancement ? ADD_ON_CREDITS.aiEnhancement : 0,
  };
  const total = baseCredits + addOns.customMusic + addOns.premiumTTS + addOns.aiEnhancement;
  return { billedMinutes, creditsPerMinute, baseCredits, addOns, total };
}

/** What a cancel refunds depends only on these (the server reads them in the cancel transaction). */
export interface CancelableVideo {
  status: 'queued' | 'processing';
  creditsUsed: number;
  /** Last recorded render progress, 0-100. */
  progress: number;
}

/**
 * The cancel policy: a queued video is refunded in full; a rendering one gets back the share
 * that was not rendered yet, rounded up in the user's favour, so rendering time already spent
 * is paid for and cancelling at 99 % cannot make a render free. Failures and timeouts are not
 * cancels: they are the system's fault and always refund everything.
 */
export function cancelRefundCredits(video: CancelableVideo): number {
  if (video.status === 'queued') return video.creditsUsed;
  const progress = Math.max(0, Math.min(100, Math.floor(video.progress)));
  // Integer arithmetic: ceil(credits * (100 - progress) / 100) without float rounding.
  return Math.floor((video.creditsUsed * (100 - progress) + 99) / 100);
}
