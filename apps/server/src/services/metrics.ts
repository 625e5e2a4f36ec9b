/**
 * What services, the worker and the HTTP layer report about the domain, without knowing how
 * it is exported (ops/prom-metrics.ts). Labels are always from small fixed sets, never ids.
 */
export interface Metrics {
  /** `route` is the matched route pattern (`/api/video/:id`), never the raw URL. */
  httpRequest(r: { method: string; route: string; status: number; seconds: number }): void;
  paymentCreated(): void;
  paymentSucceeded(): void;
  paymentFailed(): void;
  credits(kind: CreditFlow, amount: number): void;
  webhook(result: WebhookResult): void;
  reconcileFinding(kind: ReconcileFinding): void;
  renderFinished(outcome: RenderOutcome, seconds: number): void;
  databaseError(kind: 'busy' | 'full' | 'unavailable'): void;
}

export type CreditFlow = 'sold' | 'spent' | 'refunded' | 'clawed_back';
/** `received` counts every delivery; the others count a subset of them. */
export type WebhookResult = 'received' | 'duplicate' | 'rejected' | 'failed';
export type ReconcileFinding = 'credited' | 'updated' | 'anomaly' | 'unknown_payment';
/** `interrupted`: stopped by a shutdown, left to be rendered again after the restart. */
export type RenderOutcome = 'completed' | 'failed' | 'timed_out' | 'canceled' | 'interrupted';
