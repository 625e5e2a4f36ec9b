import type { ParamObject } from './form.ts';
import type { Store } from './state.ts';
import type { EventRequest, StripeEvent } from './types.ts';

export type KeyKind = 'secret' | 'publishable';

/** What the resource modules need from the emulator, without knowing about HTTP. */
export interface Ctx {
  store: Store;
  now(): number;
  nowSeconds(): number;
  /** Where this emulator's receipt pages are reachable from a browser (no trailing slash). */
  receiptBase(): string;
  emit(
    type: string,
    object: object,
    request: EventRequest,
    previous?: Record<string, unknown>,
  ): StripeEvent;
}

export interface ApiRequest {
  method: string;
  path: string;
  /** Captures from the route pattern, e.g. the PaymentIntent id. */
  pathParams: string[];
  params: ParamObject;
  keyKind: KeyKind;
  requestId: string;
  idempotencyKey: string | null;
}

export interface ApiResult {
  status: number;
  body: unknown;
}

export function ok(body: unknown): ApiResult {
  return { status: 200, body };
}

export function eventRequest(req: ApiRequest | null): EventRequest {
  return req
    ? { id: req.requestId, idempotency_key: req.idempotencyKey }
    : { id: null, idempotency_key: null };
}

export function pathParam(req: ApiRequest, index = 0): string {
  return req.pathParams[index] ?? '';
}
