import type { ErrorCode } from '@app/shared';
import { STATUS_BY_CODE } from '../errors.ts';

/** What a client sees for each code; the wording is illustrative, the code is the contract. */
const SAMPLE: Readonly<Record<ErrorCode, { message: string; details?: unknown }>> = {
  VALIDATION_ERROR: {
    message: 'Invalid request body',
    details: [{ path: 'durationMinutes', message: 'Duration must be at most 60 minutes' }],
  },
  INVALID_SIGNATURE: { message: 'Webhook signature verification failed' },
  HTTPS_REQUIRED: { message: 'Use HTTPS' },
  INVALID_TOKEN: { message: 'This link is invalid or has expired' },
  WEAK_PASSWORD: { message: 'This password is too easy to guess' },
  UNAUTHORIZED: { message: 'Authentication required' },
  INSUFFICIENT_CREDITS: {
    message: 'Not enough credits',
    details: { required: 18, balance: 10, shortfall: 8 },
  },
  ACCOUNT_OWES_CREDITS: { message: 'Your account owes credits after a refund' },
  PAYMENT_FAILED: { message: 'Your card was declined' },
  EMAIL_NOT_VERIFIED: { message: 'Verify your email address first' },
  ACCOUNT_DISABLED: { message: 'This account is disabled' },
  FORBIDDEN: { message: 'Admins only' },
  NOT_FOUND: { message: 'Video not found' },
  CONFLICT: { message: 'The video has already finished' },
  EMAIL_TAKEN: { message: 'An account with this email already exists' },
  INVALID_STATE: { message: 'The payment cannot change from its current state' },
  IDEMPOTENCY_IN_PROGRESS: { message: 'A request with this Idempotency-Key is still running' },
  PAYLOAD_TOO_LARGE: { message: 'Request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { message: 'Send the request body as application/json' },
  RANGE_NOT_SATISFIABLE: { message: 'Requested range not satisfiable' },
  IDEMPOTENCY_KEY_REUSED: { message: 'This Idempotency-Key was used with another request body' },
  RATE_LIMITED: { message: 'Too many requests, try again in a minute' },
  TOO_MANY_QUEUED_VIDEOS: { message: 'You already have 5 videos waiting' },
  INTERNAL_ERROR: { message: 'Something went wrong on our side' },
  PAYMENT_PROVIDER_UNAVAILABLE: { message: 'The payment provider did not answer' },
  SERVICE_UNAVAILABLE: { message: 'The server is busy, try again shortly' },
  STORAGE_FULL: { message: 'Storage is full' },
};

const TITLE: Readonly<Record<number, string>> = {
  400: 'The request is invalid',
  401: 'Not signed in, or the session has ended',
  402: 'Payment required: not enough credits, credits owed, or the card was declined',
  403: 'Signed in, but not allowed',
  404: 'Not found (or not yours)',
  409: 'Conflicts with the current state',
  413: 'Body larger than BODY_LIMIT',
  415: 'Body not sent as application/json',
  416: 'Range not satisfiable',
  422: 'Idempotency-Key reused with another body',
  429: 'Too many requests; `Retry-After` says when to try again',
  500: 'Unexpected server error',
  502: 'Stripe did not answer',
  503: 'Busy or shutting down; `Retry-After` says when to try again',
  507: 'Storage is full',
};

export const errorResponseName = (status: number) => `Error${status}`;

/** `components.responses`: one per status in use, listing its codes, with an example of each. */
export function errorResponses(inUse: ReadonlySet<number>): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const [code, status] of Object.entries(STATUS_BY_CODE) as [ErrorCode, number][]) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, unknown> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (!inUse.has(status)) continue;
    const retry = status === 429 || status === 503;
    out[errorResponseName(status)] = {
      description: `${TITLE[status] ?? 'Error'}. \`error.code\` is one of ${codes.map((c) => `\`${c}\``).join(', ')}.`,
      ...(retry
        ? {
            headers: {
              'Retry-After': {
                description: 'Whole seconds until a retry may succeed',
                schema: { type: 'integer', minimum: 1 },
              },
            },
          }
        : {}),
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          examples: Object.fromEntries(
            codes.map((code) => [code, { value: { error: { code, ...SAMPLE[code] } } }]),
          ),
        },
      },
    };
  }
  return out;
}
