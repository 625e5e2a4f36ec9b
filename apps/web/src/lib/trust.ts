import type { AddOn } from '@app/shared';

export const ADD_ON_NAMES: Record<AddOn, string> = {
  customMusic: 'Custom music',
  premiumTTS: 'Premium voice-over',
  aiEnhancement: 'AI enhancement',
};

/**
 * The policies a buyer asks about, worded once for the landing page and the checkout. They
 * restate CREDITS.md (Pricing, Video jobs, Refunds and disputes): keep them in step.
 */
export const TRUST_POINTS = [
  {
    title: 'Payments by Stripe.',
    text: 'Card details go straight to Stripe; we never see or store your card number.',
  },
  {
    title: 'What credits are for.',
    text: 'Credits pay for video generation only: the cost of each video is shown before you start it.',
  },
  {
    title: 'Failed videos cost nothing.',
    text: 'If a video fails, every credit comes back automatically; cancel one and the part not yet rendered comes back.',
  },
  {
    title: 'Credits never expire.',
    text: 'No subscription and no renewal. For a refund of a purchase, contact support; a refunded purchase takes its credits back.',
  },
] as const;
