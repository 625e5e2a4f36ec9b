// Stripe's error envelope: `{ error: { type, code?, decline_code?, param?, message, ... } }`.
// stripe-node picks its error class from the HTTP status plus `type`, so both must match Stripe.

export type StripeErrorType =
  'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: Record<string, unknown>;
  payment_method?: Record<string, unknown>;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

interface InvalidOpts {
  param?: string;
  code?: string;
  status?: number;
  paymentIntent?: Record<string, unknown>;
}

export function invalidRequest(message: string, opts: InvalidOpts = {}): StripeApiError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message };
  if (opts.code) {
    body.code = opts.code;
    body.doc_url = docUrl(opts.code);
  }
  if (opts.param) body.param = opts.param;
  if (opts.paymentIntent) body.payment_intent = opts.paymentIntent;
  return new StripeApiError(opts.status ?? 400, body);
}

export function parameterMissing(param: string): StripeApiError {
  return invalidRequest(`Missing required param: ${param}.`, { param, code: 'parameter_missing' });
}

export function parameterUnknown(param: string): StripeApiError {
  return invalidRequest(`Received unknown parameter: ${param}`, {
    param,
    code: 'parameter_unknown',
  });
}

export function parameterInvalid(param: string, message: string): StripeApiError {
  return invalidRequest(message, { param, code: 'parameter_invalid' });
}

export function resourceMissing(kind: string, id: string, param = 'id'): StripeApiError {
  return invalidRequest(`No such ${kind}: '${id}'`, {
    param,
    code: 'resource_missing',
    status: 404,
  });
}

export function unrecognizedUrl(method: string, path: string): StripeApiError {
  return invalidRequest(
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    { status: 404 },
  );
}

export function authenticationError(message: string): StripeApiError {
  return invalidRequest(message, { status: 401 });
}

export function permissionError(message: string): StripeApiError {
  return invalidRequest(message, { status: 403 });
}

export function idempotencyError(message: string): StripeApiError {
  return new StripeApiError(400, { type: 'idempotency_error', message });
}

export function apiError(status: number, message: string): StripeApiError {
  return new StripeApiError(status, { type: 'api_error', message });
}

export function unexpectedState(
  message: string,
  paymentIntent?: Record<string, unknown>,
): StripeApiError {
  return invalidRequest(message, {
    code: 'payment_intent_unexpected_state',
    ...(paymentIntent ? { paymentIntent } : {}),
  });
}

export function errorResponse(err: StripeApiError): { error: StripeErrorBody } {
  return { error: err.body };
}
