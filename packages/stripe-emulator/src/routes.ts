import { listCharges, retrieveCharge } from './charges.ts';
import { ok, pathParam, type ApiRequest, type ApiResult, type Ctx } from './context.ts';
import { listDisputes, retrieveDispute } from './disputes.ts';
import { resourceMissing } from './errors.ts';
import { listEvents, retrieveEvent } from './events.ts';
import { expandObject } from './expand.ts';
import { expandParam, rejectUnknown } from './params.ts';
import {
  authenticatePaymentIntent,
  cancelPaymentIntent,
  confirmPaymentIntent,
  createPaymentIntent,
  listPaymentIntents,
  retrievePaymentIntent,
} from './payment-intents.ts';
import { retrievePaymentMethod } from './payment-methods.ts';
import { createRefund, listRefunds, retrieveRefund } from './refunds.ts';

export interface ApiRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: (ctx: Ctx, req: ApiRequest) => ApiResult;
  /** Reachable with a publishable key (browser endpoints; they also check client_secret). */
  publishable?: boolean;
}

function retrieveBalanceTransaction(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, ['expand']);
  const id = pathParam(req);
  const txn = ctx.store.balanceTransactions.get(id);
  if (!txn) throw resourceMissing('balance_transaction', id);
  return ok(expandObject(ctx.store, txn, expandParam(req.params)));
}

const ID = '([^/]+)';
const route = (
  method: ApiRoute['method'],
  path: string,
  handler: ApiRoute['handler'],
  publishable = false,
): ApiRoute => ({
  method,
  pattern: new RegExp(`^${path.replace(/:id/g, ID)}$`),
  handler,
  publishable,
});

export const API_ROUTES: readonly ApiRoute[] = [
  route('POST', '/v1/payment_intents', createPaymentIntent),
  route('GET', '/v1/payment_intents', listPaymentIntents),
  route('GET', '/v1/payment_intents/:id', retrievePaymentIntent, true),
  route('POST', '/v1/payment_intents/:id/confirm', confirmPaymentIntent, true),
  route('POST', '/v1/payment_intents/:id/authenticate', authenticatePaymentIntent, true),
  route('POST', '/v1/payment_intents/:id/cancel', cancelPaymentIntent),
  route('POST', '/v1/refunds', createRefund),
  route('GET', '/v1/refunds', listRefunds),
  route('GET', '/v1/refunds/:id', retrieveRefund),
  route('GET', '/v1/charges', listCharges),
  route('GET', '/v1/charges/:id', retrieveCharge),
  route('GET', '/v1/disputes', listDisputes),
  route('GET', '/v1/disputes/:id', retrieveDispute),
  route('GET', '/v1/events', listEvents),
  route('GET', '/v1/events/:id', retrieveEvent),
  route('GET', '/v1/payment_methods/:id', retrievePaymentMethod),
  route('GET', '/v1/balance_transactions/:id', retrieveBalanceTransaction),
];

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function matchRoute<R extends { method: string; pattern: RegExp }>(
  routes: readonly R[],
  method: string,
  path: string,
): { route: R; captures: string[] } | null {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m) return { route: r, captures: m.slice(1).map((c) => safeDecode(c ?? '')) };
  }
  return null;
}
