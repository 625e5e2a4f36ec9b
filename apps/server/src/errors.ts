import type { ErrorBody, ErrorCode } from '@app/shared';

/**
 * Typed failures raised by services. The HTTP layer maps them to the one error shape;
 * services never know about status codes or Express.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_ERROR: 400,
  INVALID_SIGNATURE: 400,
  HTTPS_REQUIRED: 400,
  UNAUTHORIZED: 401,
  EMAIL_NOT_VERIFIED: 403,
  ACCOUNT_DISABLED: 403,
  FORBIDDEN: 403,
  INVALID_TOKEN: 400,
  INSUFFICIENT_CREDITS: 402,
  ACCOUNT_OWES_CREDITS: 402,
  PAYMENT_FAILED: 402,
  NOT_FOUND: 404,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  WEAK_PASSWORD: 400,
  INVALID_STATE: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  RANGE_NOT_SATISFIABLE: 416,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  TOO_MANY_QUEUED_VIDEOS: 429,
  INTERNAL_ERROR: 500,
  PAYMENT_PROVIDER_UNAVAILABLE: 502,
  SERVICE_UNAVAILABLE: 503,
  STORAGE_FULL: 507,
};

/** Every throttle answers the same way: 429 with the whole seconds until the next try. */
export const rateLimited = (msBeforeNext: number, message: string) =>
  new AppError('RATE_LIMITED', message, undefined, {
    'Retry-After': String(Math.max(1, Math.ceil(msBeforeNext / 1000))),
  });

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const unauthorized = (message = 'Authentication required') =>
  new AppError('UNAUTHORIZED', message);
export const validationError = (message: string, details?: unknown) =>
  new AppError('VALIDATION_ERROR', message, details);

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** The HTTP form of a typed error; the error handler and stored idempotent replies share it. */
export function errorResponse(err: AppError): { status: number; body: ErrorBody } {
  return { status: STATUS_BY_CODE[err.code], body: errorBody(err.code, err.message, err.details) };
}
