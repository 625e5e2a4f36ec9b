import { InsufficientCreditsDetailsSchema, type InsufficientCreditsDetails } from '@app/shared';
import { z } from 'zod';
import { ApiError, type ApiErrorCode } from './client';
import { formatCredits } from '../lib/money';

/**
 * Every failure is shown in words a person understands. Codes with a fixed meaning get our
 * own text; codes whose server message is the specific part (payments, state conflicts) keep it.
 */
const FRIENDLY: Partial<Record<ApiErrorCode, string>> = {
  VALIDATION_ERROR: 'Some of the information needs another look.',
  UNAUTHORIZED: 'Your session has ended. Please log in again.',
  NOT_FOUND: 'We could not find what you were looking for.',
  EMAIL_TAKEN: 'An account with this email already exists. Try logging in instead.',
  EMAIL_NOT_VERIFIED:
    'Please verify your email address first: open the link we sent you, or send a new one from the banner above.',
  ACCOUNT_OWES_CREDITS:
    'Your balance is negative after a refund or dispute, so new videos are paused. Buy credits to settle it and continue.',
  IDEMPOTENCY_KEY_REUSED: 'That request was already sent. Refresh the page to see its result.',
  IDEMPOTENCY_IN_PROGRESS: 'We are still working on your previous request. Give it a moment.',
  PAYLOAD_TOO_LARGE: 'That is more text than we can accept. Please shorten it.',
  UNSUPPORTED_MEDIA_TYPE: 'The app sent something the server did not understand. Please reload.',
  PAYMENT_PROVIDER_UNAVAILABLE:
    'Payments are temporarily unavailable. You have not been charged; please try again shortly.',
  SERVICE_UNAVAILABLE: 'The service is busy right now. Please try again in a minute.',
  STORAGE_FULL: 'Video storage is full at the moment. Please try again later.',
  INTERNAL_ERROR: 'Something went wrong on our side. Please try again.',
  NETWORK_ERROR: 'We could not reach the server. Check your connection and try again.',
  BAD_RESPONSE: 'The server sent an unexpected answer. Please reload the page and try again.',
  HTTP_ERROR: 'Something went wrong on our side. Please try again in a moment.',
};

/** A wait in words: "a few seconds", "about 40 seconds", "about 15 minutes", "about 2 hours". */
export function formatWait(seconds: number): string {
  if (seconds <= 5) return 'a few seconds';
  if (seconds < 60) return `about ${Math.round(seconds / 5) * 5 || 5} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes === 1 ? 'about a minute' : `about ${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? 'about an hour' : `about ${hours} hours`;
}

// zod's default messages, which a server may send for a field it checks with no message of its own.
const ZOD_MESSAGES: Array<[RegExp, (n: string) => string]> = [
  [/^Too big: expected string to have <=(\d+) characters?$/, (n) => `Use at most ${n} characters.`],
  [
    /^Too small: expected string to have >=(\d+) characters?$/,
    (n) => (n === '1' ? 'This field is required.' : `Use at least ${n} characters.`),
  ],
  [/^Too big: expected number to be <=?(\S+)$/, (n) => `Enter ${n} or less.`],
  [/^Too small: expected number to be >=?(\S+)$/, (n) => `Enter ${n} or more.`],
  [/^Invalid (email address|input: expected string)/, () => 'Please check this value.'],
  [/^Invalid input/, () => 'Please check this value.'],
];

/** A validation message as a sentence a person can act on. */
export function humanizeIssue(message: string): string {
  for (const [pattern, text] of ZOD_MESSAGES) {
    const match = pattern.exec(message);
    if (match) return text(match[1] ?? '');
  }
  return message;
}

export function insufficientCreditsDetails(error: unknown): InsufficientCreditsDetails | null {
  if (!(error instanceof ApiError) || error.code !== 'INSUFFICIENT_CREDITS') return null;
  const parsed = InsufficientCreditsDetailsSchema.safeParse(error.details);
  return parsed.success ? parsed.data : null;
}

export function friendlyMessage(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return error instanceof Error && error.message
      ? error.message
      : 'Something went wrong. Please try again.';
  }
  switch (error.code) {
    case 'INSUFFICIENT_CREDITS': {
      const d = insufficientCreditsDetails(error);
      return d
        ? `This video needs ${formatCredits(d.required)} but you have ${formatCredits(d.balance)}. Buy at least ${formatCredits(d.shortfall)} more to continue.`
        : 'You do not have enough credits for this. Buy credits to continue.';
    }
    case 'RATE_LIMITED':
      return error.retryAfter
        ? `Too many attempts. Please wait ${formatWait(error.retryAfter)} and try again.`
        : 'Too many attempts. Please wait a moment and try again.';
    case 'PAYMENT_FAILED':
    case 'INVALID_TOKEN':
    case 'INVALID_STATE':
    case 'CONFLICT':
      return error.message;
    default:
      return FRIENDLY[error.code] ?? error.message;
  }
}

const FieldIssuesSchema = z.array(
  z.object({
    path: z.union([z.string(), z.array(z.union([z.string(), z.number()]))]),
    message: z.string(),
  }),
);

/** VALIDATION_ERROR details → { fieldName: message } for inline form errors. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION_ERROR') return {};
  const parsed = FieldIssuesSchema.safeParse(error.details);
  if (!parsed.success) return {};
  const out: Record<string, string> = {};
  for (const issue of parsed.data) {
    const key = Array.isArray(issue.path) ? String(issue.path[0] ?? '') : issue.path.split('.')[0];
    if (key && !out[key]) out[key] = humanizeIssue(issue.message);
  }
  return out;
}
