import { z } from 'zod';
import {
  AuthResponseSchema,
  BalanceResponseSchema,
  CalculateCostResponseSchema,
  ClientConfigSchema,
  ConfirmPaymentResponseSchema,
  CreatePaymentIntentResponseSchema,
  ErrorBodySchema,
  GenerateVideoResponseSchema,
  MeResponseSchema,
  PackagesResponseSchema,
  PaymentHistoryResponseSchema,
  PaymentResponseSchema,
  SignupResponseSchema,
  TransactionsResponseSchema,
  VideoHistoryResponseSchema,
  VideoResponseSchema,
  VideoSchema,
  type ChangePasswordRequest,
  type CostOptionsInput,
  type ErrorCode,
  type GenerateVideoRequest,
  type LoginRequest,
  type SignupRequest,
  type TransactionType,
  type Video,
  type VideoStatus,
} from '@app/shared';
import { getToken, notifySessionExpired } from '../auth/session';
import { readSse } from '../lib/sse';

/** Codes the server sends, plus the ones only the client can observe. */
export type ApiErrorCode = ErrorCode | 'NETWORK_ERROR' | 'BAD_RESPONSE' | 'HTTP_ERROR';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds from a Retry-After header (429). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  idempotencyKey?: string;
  /** Public endpoints (login, signup, config) never trigger the session-expired flow. */
  auth?: boolean;
  /** Sign-out calls send the token but a 401 there is not news: the user is leaving anyway. */
  expireOn401?: boolean;
  signal?: AbortSignal;
  /** What the response should be (JSON unless said otherwise; errors are JSON anyway). */
  accept?: string;
}

function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function authHeaders(auth: boolean): Record<string, string> {
  const token = auth ? getToken() : null;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function toApiError(
  response: Response,
  auth: boolean,
  expireOn401 = true,
): Promise<ApiError> {
  const json: unknown = await response.json().catch(() => null);
  const parsed = ErrorBodySchema.safeParse(json);
  const retryHeader = response.headers.get('Retry-After');
  const retryAfter = retryHeader && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
  if (response.status === 401 && auth && expireOn401) notifySessionExpired();
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(response.status, code, message, details, retryAfter);
  }
  return new ApiError(
    response.status,
    response.status === 401 ? 'UNAUTHORIZED' : 'HTTP_ERROR',
    // Shown as is by a few screens: never a bare status code.
    response.status >= 500
      ? 'Something went wrong on our side. Please try again in a moment.'
      : 'The request could not be completed. Please reload the page and try again.',
    undefined,
    retryAfter,
  );
}

export async function send(path: string, options: RequestOptions): Promise<Response> {
  const auth = options.auth ?? true;
  const headers: Record<string, string> = {
    Accept: options.accept ?? 'application/json',
    ...authHeaders(auth),
  };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK_ERROR', 'Network request failed');
  }
  if (!response.ok) throw await toApiError(response, auth, options.expireOn401);
  return response;
}

export async function request<S extends z.ZodType>(
  path: string,
  schema: S,
  options: RequestOptions = {},
): Promise<z.output<S>> {
  const response = await send(path, options);
  const json: unknown = await response.json().catch(() => undefined);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError(response.status, 'BAD_RESPONSE', `Unexpected response from ${path}`);
  }
  return parsed.data;
}

// ---------- auth & config ----------
export const signup = (body: SignupRequest) =>
  request('/api/auth/signup', SignupResponseSchema, { method: 'POST', body, auth: false });

export const login = (body: LoginRequest) =>
  request('/api/auth/login', AuthResponseSchema, { method: 'POST', body, auth: false });

export const getMe = () => request('/api/auth/me', MeResponseSchema);

/** Revokes this browser's token on the server. */
export async function logout(signal?: AbortSignal): Promise<void> {
  await send('/api/auth/logout', { method: 'POST', expireOn401: false, signal });
}

/** Revokes every session of the account, this one included. */
export async function logoutEverywhere(): Promise<void> {
  await send('/api/auth/logout-all', { method: 'POST', expireOn401: false });
}

/** Every other session is revoked; the response carries a fresh token for this browser. */
export const changePassword = (body: ChangePasswordRequest) =>
  request('/api/auth/change-password', AuthResponseSchema, { method: 'POST', body });

export const getConfig = () => request('/api/config', ClientConfigSchema, { auth: false });

// ---------- credits ----------
export const getBalance = () => request('/api/credits/balance', BalanceResponseSchema);

export const getPackages = () => request('/api/credits/packages', PackagesResponseSchema);

export interface TransactionFilters {
  type?: TransactionType;
  /** ISO instants. */
  from?: string;
  to?: string;
}

export const getTransactions = (params: TransactionFilters & { page: number; pageSize: number }) =>
  request('/api/credits/transactions', TransactionsResponseSchema, { query: { ...params } });

/**
 * The whole filtered history as a CSV file, streamed by the server. Fetched with the
 * Authorization header (a link could not send it) into a Blob, which the browser keeps out
 * of the JavaScript heap; no page-by-page assembly in the client.
 */
export async function getTransactionsCsv(filters: TransactionFilters): Promise<Blob> {
  const response = await send('/api/credits/transactions.csv', {
    query: { ...filters },
    accept: 'text/csv',
  });
  try {
    return await response.blob();
  } catch {
    // The server cuts the connection if the export fails midway: never a truncated file.
    throw new ApiError(0, 'NETWORK_ERROR', 'The download was interrupted');
  }
}

export const calculateCostOnServer = (body: CostOptionsInput) =>
  request('/api/credits/calculate-cost', CalculateCostResponseSchema, { method: 'POST', body });

export const getVideoHistory = (params: { page: number; pageSize: number; status?: VideoStatus }) =>
  request('/api/credits/video-history', VideoHistoryResponseSchema, { query: { ...params } });

// ---------- video ----------
export const generateVideo = (body: GenerateVideoRequest, idempotencyKey: string) =>
  request('/api/video/generate', GenerateVideoResponseSchema, {
    method: 'POST',
    body,
    idempotencyKey,
  });

export const getVideo = (id: string, signal?: AbortSignal) =>
  request(`/api/video/${encodeURIComponent(id)}`, VideoResponseSchema, { signal });

export const cancelVideo = (id: string, idempotencyKey?: string) =>
  request(`/api/video/${encodeURIComponent(id)}/cancel`, VideoResponseSchema, {
    method: 'POST',
    idempotencyKey,
  });

/**
 * Follows GET /api/video/:id/events, calling `onVideo` for every update. Resolves when the
 * stream ends; rejects if it cannot be opened (the caller then falls back to polling).
 */
export async function streamVideoEvents(
  id: string,
  onVideo: (video: Video) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(`/api/video/${encodeURIComponent(id)}/events`, {
    headers: { Accept: 'text/event-stream', ...authHeaders(true) },
    signal,
  });
  if (!response.ok) throw await toApiError(response, true);
  if (!response.body || !response.headers.get('Content-Type')?.includes('text/event-stream')) {
    throw new ApiError(response.status, 'BAD_RESPONSE', 'Not an event stream');
  }
  for await (const message of readSse(response.body)) {
    if (message.event !== 'video') continue;
    let data: unknown;
    try {
      data = JSON.parse(message.data);
    } catch {
      continue; // a malformed message is skipped; the next one carries the full state again
    }
    const parsed = VideoSchema.safeParse(data);
    if (parsed.success) onVideo(parsed.data);
  }
}

// ---------- payments ----------
export const createPaymentIntent = (packageId: number, idempotencyKey: string) =>
  request('/api/payments/create-intent', CreatePaymentIntentResponseSchema, {
    method: 'POST',
    body: { packageId },
    idempotencyKey,
  });

export const confirmPayment = (paymentIntentId: string, idempotencyKey?: string) =>
  request('/api/payments/confirm', ConfirmPaymentResponseSchema, {
    method: 'POST',
    body: { paymentIntentId },
    idempotencyKey,
  });

/** A payment left waiting (3-D Secure): its client secret again, to reopen the challenge. */
export const resumePayment = (paymentId: string, idempotencyKey: string) =>
  request(
    `/api/payments/${encodeURIComponent(paymentId)}/resume`,
    CreatePaymentIntentResponseSchema,
    { method: 'POST', idempotencyKey },
  );

/** Abandons a payment still waiting for the customer (owner only; idempotent). */
export const cancelPendingPayment = (paymentId: string, idempotencyKey: string) =>
  request(`/api/payments/${encodeURIComponent(paymentId)}/cancel`, ConfirmPaymentResponseSchema, {
    method: 'POST',
    idempotencyKey,
  });

export const getPaymentHistory = (params: { page: number; pageSize: number }) =>
  request('/api/payments/history', PaymentHistoryResponseSchema, { query: { ...params } });

export const getPayment = (id: string) =>
  request(`/api/payments/${encodeURIComponent(id)}`, PaymentResponseSchema);
