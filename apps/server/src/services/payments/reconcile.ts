import type { CoreContext, ServiceContext } from '../context.ts';
import { factsFromCharge, factsFromIntent } from './facts.ts';
import { decidePayment, type PaymentFacts } from './settlement.ts';
import { updatePayment } from './update-payment.ts';

export interface ReconcileReport {
  examined: number;
  credited: number;
  updated: number;
  unchanged: number;
  notOurs: number;
  unknownPayment: number;
  anomalies: string[];
}

/**
 * Lists recent PaymentIntents at Stripe and settles each against our records: a succeeded
 * intent whose webhook never arrived gets credited, once. Running it twice changes nothing.
 */
/** Reconciliation runs from the command line too, where there is no queue, no tokens, no HTTP. */
export type ReconcileContext = CoreContext & Pick<ServiceContext, 'stripe'>;

export async function reconcilePayments(options: {
  ctx: ReconcileContext;
  input: { sinceSeconds: number };
}): Promise<ReconcileReport> {
  const { ctx } = options;
  const { stripe } = ctx;
  const report: ReconcileReport = {
    examined: 0,
    credited: 0,
    updated: 0,
    unchanged: 0,
    notOurs: 0,
    unknownPayment: 0,
    anomalies: [],
  };
  const since = Math.floor(ctx.now().getTime() / 1000) - options.input.sinceSeconds;
  for await (const intent of stripe.paymentIntents.list({
    created: { gte: since },
    limit: 100,
    expand: ['data.latest_charge'],
  })) {
    report.examined += 1;
    const paymentId = intent.metadata?.payment_id;
    if (!paymentId) {
      report.notOurs += 1;
      continue;
    }
    const payment = await ctx.store.findPayment({ id: paymentId });
    if (!payment) {
      report.unknownPayment += 1;
      report.anomalies.push(`${intent.id}: no payment ${paymentId}`);
      ctx.metrics.reconcileFinding('unknown_payment');
      continue;
    }
    if (!payment.stripePaymentIntentId) {
      await ctx.store.attachPaymentIntent({
        paymentId: payment.id,
        paymentIntentId: intent.id,
        now: ctx.now().toISOString(),
      });
    } else if (payment.stripePaymentIntentId !== intent.id) {
      report.anomalies.push(
        `${intent.id}: payment ${payment.id} is tied to ${payment.stripePaymentIntentId}`,
      );
      ctx.metrics.reconcileFinding('anomaly');
      continue;
    }
    const facts: PaymentFacts = { ...factsFromIntent(intent) };
    const charge = intent.latest_charge;
    if (charge && typeof charge === 'object') {
      facts.amountRefundedCents = factsFromCharge(charge).amountRefundedCents;
    }
    const result = await updatePayment({
      ctx,
      input: {
        paymentIntentId: intent.id,
        decide: decidePayment(facts),
        now: ctx.now().toISOString(),
      },
    });
    if (result.kind !== 'applied') continue;
    if (result.outcomes.includes('credited')) {
      report.credited += 1;
      ctx.metrics.reconcileFinding('credited');
    } else if (result.outcomes.includes('no_change')) {
      report.unchanged += 1;
    } else {
      report.updated += 1;
      ctx.metrics.reconcileFinding('updated');
    }
    if (result.outcomes.includes('amount_mismatch')) {
      report.anomalies.push(`${intent.id}: ${result.payment.anomaly}`);
      ctx.metrics.reconcileFinding('anomaly');
    }
  }
  return report;
}
