import { z } from 'zod';
import {
  GenerateVideoRequestSchema,
  InvalidCostOptionsError,
  RESOLUTIONS,
  calculateCost,
  type BalanceResponse,
  type CostBreakdown,
  type GenerateVideoRequest,
} from '@app/shared';
import { formatCredits } from './money';

/** What the studio form holds while typing: the duration stays a string until it is valid. */
export const StudioDraftSchema = z.object({
  prompt: z.string(),
  duration: z.string(),
  resolution: z.enum(RESOLUTIONS),
  customMusic: z.boolean(),
  premiumTTS: z.boolean(),
  aiEnhancement: z.boolean(),
});
export type StudioDraft = z.infer<typeof StudioDraftSchema>;

export const DEFAULT_DRAFT: StudioDraft = {
  prompt: '',
  duration: '1',
  resolution: '720p',
  customMusic: false,
  premiumTTS: false,
  aiEnhancement: false,
};

export const PROMPT_MAX_CHARS = 2000;

export interface EvaluatedDraft {
  request: GenerateVideoRequest | null;
  /** Null when the duration is not billable yet. Always from the shared `calculateCost`. */
  cost: CostBreakdown | null;
  errors: { prompt?: string; durationMinutes?: string };
}

export function evaluateDraft(draft: StudioDraft): EvaluatedDraft {
  const durationMinutes = draft.duration.trim() === '' ? Number.NaN : Number(draft.duration);
  const candidate = {
    prompt: draft.prompt,
    durationMinutes,
    resolution: draft.resolution,
    customMusic: draft.customMusic,
    premiumTTS: draft.premiumTTS,
    aiEnhancement: draft.aiEnhancement,
  };
  const errors: EvaluatedDraft['errors'] = {};
  let cost: CostBreakdown | null = null;
  try {
    cost = calculateCost(candidate);
  } catch (error) {
    if (!(error instanceof InvalidCostOptionsError)) throw error;
  }
  const parsed = GenerateVideoRequestSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if (key === 'prompt') {
        errors.prompt ??=
          draft.prompt.trim() === ''
            ? 'Describe your video to continue.'
            : `Keep the prompt to ${PROMPT_MAX_CHARS} characters or fewer.`;
      }
      if (key === 'durationMinutes') {
        errors.durationMinutes ??= Number.isNaN(durationMinutes)
          ? 'Enter a duration in minutes, for example 1 or 2.5.'
          : issue.message;
      }
    }
  }
  return { request: parsed.success ? parsed.data : null, cost, errors };
}

export type GenerateBlocker =
  | { kind: 'owes'; message: string }
  | { kind: 'insufficient'; message: string; shortfall: number }
  | { kind: 'invalid'; message: string }
  | { kind: 'loading'; message: string };

/** Why Generate is disabled, in the order a person should fix things; null when it is not. */
export function generateBlocker(
  evaluated: EvaluatedDraft,
  balance: BalanceResponse | undefined,
): GenerateBlocker | null {
  if (balance && (balance.owesCredits || balance.creditBalance < 0)) {
    return {
      kind: 'owes',
      message:
        'Your account owes credits after a refund or dispute. Buy credits to start generating again.',
    };
  }
  if (!evaluated.cost) {
    return {
      kind: 'invalid',
      message: evaluated.errors.durationMinutes ?? 'Choose a duration to see the cost.',
    };
  }
  if (balance && evaluated.cost.total > balance.creditBalance) {
    const shortfall = evaluated.cost.total - balance.creditBalance;
    return {
      kind: 'insufficient',
      shortfall,
      message: `Not enough credits: this video costs ${formatCredits(evaluated.cost.total)} and you have ${formatCredits(balance.creditBalance)}. You need ${formatCredits(shortfall)} more.`,
    };
  }
  if (evaluated.errors.prompt) {
    return {
      kind: 'invalid',
      message: evaluated.errors.prompt,
    };
  }
  if (!balance) return { kind: 'loading', message: 'Checking your balance…' };
  return null;
}
