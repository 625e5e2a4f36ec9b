import { z } from 'zod';

/** Every failure of the API has this shape; the code is stable, the message is for people. */
export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'EMAIL_TAKEN',
  'WEAK_PASSWORD',
  'EMAIL_NOT_VERIFIED',
  'ACCOUNT_DISABLED',
  'FORBIDDEN',
  'INVALID_TOKEN',
  'INSUFFICIENT_CREDITS',
  'ACCOUNT_OWES_CREDITS',
  'RATE_LIMITED',
  'TOO_MANY_QUEUED_VIDEOS',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_IN_PROGRESS',
  'PAYLOAD_TOO_LARGE',
  'RANGE_NOT_SATISFIABLE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_SIGNATURE',
  'HTTPS_REQUIRED',
  'PAYMENT_FAILED',
  'PAYMENT_PROVIDER_UNAVAILABLE',
  'INVALID_STATE',
  'SERVICE_UNAVAILABLE',
  'STORAGE_FULL',
  'INTERNAL_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const InsufficientCreditsDetailsSchema = z.object({
  required: z.number().int(),
  balance: z.number().int(),
  shortfall: z.number().int(),
});
export type InsufficientCreditsDetails = z.infer<typeof InsufficientCreditsDetailsSchema>;
