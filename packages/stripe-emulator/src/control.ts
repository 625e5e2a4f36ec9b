import type { Ctx } from './context.ts';
import { eventRequest } from './context.ts';
import type { Delivery, DeliveryLogEntry } from './delivery.ts';
import { closeDisputeNow, createDisputeForCharge, successfulChargeOf } from './disputes.ts';
import type { Fault, FaultInjector, FaultMatch } from './faults.ts';
import type { IdempotencyStore } from './idempotency.ts';
import type { RequestLog } from './request-log.ts';
import { succeedPaymentIntentNow } from './payment-intents.ts';
import type { Snapshot } from './state.ts';
import type { Dispute, PaymentIntent, StripeEvent } from './types.ts';

export interface RequestLogEntry {
  method: string;
  path: string;
  idempotencyKey: string | null;
  /** Response status; null when the socket was destroyed by a 'reset' fault. */
  status: number | null;
  requestId: string;
  /** Set when the response was an idempotent replay of an earlier one. */
  replayed?: boolean;
  /** Set when an injected fault handled (or delayed) this request. */
  fault?: 'status' | 'reset' | 'hang';
  at: number;
}

export interface CreateDisputeOptions {
  paymentIntentId?: string;
  chargeId?: string;
  reason?: string;
  /** Defaults to the full charge amount (refunded charges can be disputed too). */
  amount?: number;
}

export interface EmulatorControl {
  /**
   * The next `times` requests matching `match` get `fault` instead of being processed: a
   * Stripe-shaped error with that status, a destroyed socket ('reset'), or a delay of `hangMs`
   * after which the request is processed normally (as when Stripe is slow).
   */
  failNext(match: FaultMatch, fault: Fault, times?: number): void;
  clearFaults(): void;
  /**
   * The last /v1 requests received (`requestLogLimit`, default 1,000), oldest first; control
   * requests are not logged.
   */
  readonly requestLog: readonly RequestLogEntry[];
  pauseDelivery(): void;
  resumeDelivery(): void;
  /** Events waiting for automatic delivery, oldest first. */
  pendingEvents(): StripeEvent[];
  /** Delivers one event now, `times` times (one attempt each), regardless of pause/order. */
  deliver(eventId: string, opts?: { times?: number }): Promise<DeliveryLogEntry[]>;
  /** The next `n` events are created (and listed in /v1/events) but never delivered. */
  dropNext(n: number): void;
  /** Drops each new event with probability `rate`; pass a seed or RNG for repeatable runs. */
  dropRate(rate: number, seededRandom?: number | (() => number)): void;
  /** Queues an event for automatic delivery again (with retries), behind anything queued. */
  redeliver(eventId: string): void;
  readonly deliveryLog: DeliveryLogEntry[];
  /** Resolves when nothing is in flight and nothing deliverable is queued. */
  waitForIdle(): Promise<void>;
  createDispute(opts: CreateDisputeOptions): Dispute;
  closeDispute(disputeId: string, outcome: 'won' | 'lost'): Dispute;
  /** Completes a PaymentIntent as if the customer paid with 4242 4242 4242 4242. */
  succeedPaymentIntent(id: string): PaymentIntent;
  listAll(): Snapshot;
  getPaymentIntent(id: string): PaymentIntent | undefined;
  /** Forgets all objects, events, logs, faults, idempotency keys and delivery settings. */
  reset(): void;
}

export interface ControlDeps {
  ctx: Ctx;
  delivery: Delivery;
  faults: FaultInjector;
  idempotency: IdempotencyStore;
  requestLog: RequestLog;
}

export function createControl(deps: ControlDeps): EmulatorControl {
  const { ctx, delivery, faults } = deps;
  return {
    failNext(match, fault, times = 1) {
      faults.add(match, fault, times);
    },
    clearFaults() {
      faults.clear();
    },
    get requestLog() {
      return deps.requestLog.entries;
    },
    pauseDelivery() {
      delivery.pause();
    },
    resumeDelivery() {
      delivery.resume();
    },
    pendingEvents() {
      return delivery.pending();
    },
    deliver(eventId, opts = {}) {
      return delivery.deliverNow(eventId, opts.times ?? 1);
    },
    dropNext(n) {
      delivery.dropNext(n);
    },
    dropRate(rate, seededRandom) {
      delivery.dropRate(rate, seededRandom);
    },
    redeliver(eventId) {
      delivery.redeliver(eventId);
    },
    get deliveryLog() {
      return delivery.log;
    },
    waitForIdle() {
      return delivery.waitForIdle();
    },
    createDispute(opts) {
      let chargeId = opts.chargeId;
      if (chargeId === undefined) {
        if (opts.paymentIntentId === undefined) {
          throw new Error('createDispute needs paymentIntentId or chargeId');
        }
        chargeId = successfulChargeOf(ctx, opts.paymentIntentId, 'payment_intent');
      }
      const dispute = createDisputeForCharge(ctx, chargeId, opts, eventRequest(null));
      return structuredClone(dispute);
    },
    closeDispute(disputeId, outcome) {
      return structuredClone(closeDisputeNow(ctx, disputeId, outcome, eventRequest(null)));
    },
    succeedPaymentIntent(id) {
      return succeedPaymentIntentNow(ctx, id);
    },
    listAll() {
      return ctx.store.snapshot();
    },
    getPaymentIntent(id) {
      const pi = ctx.store.paymentIntents.get(id);
      return pi ? structuredClone(pi) : undefined;
    },
    reset() {
      ctx.store.reset();
      deps.idempotency.clear();
      faults.clear();
      deps.requestLog.clear();
      delivery.reset();
    },
  };
}
