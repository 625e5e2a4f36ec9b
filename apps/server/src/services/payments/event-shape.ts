import { z } from 'zod';

/**
 * A signed event is authentic, but its body is still data: before any field reaches the
 * settlement rules or a SQL parameter, it must have the shape Stripe documents. Only the
 * fields we read are checked; everything else passes through untouched.
 */
const id = z.string().min(1).max(255);
const cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const intentRef = z.union([id, z.object({ id }), z.null()]).optional();

export const EventEnvelopeSchema = z.object({
  id,
  type: z.string().min(1).max(255),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const PaymentIntentShape = z.object({
  id,
  status: z.string(),
  amount_received: cents,
  currency: z.string().max(16),
  last_payment_error: z.object({ message: z.string().nullish() }).nullish(),
});

const ChargeShape = z.object({
  payment_intent: intentRef,
  amount: cents,
  amount_captured: cents.nullish(),
  amount_refunded: cents,
  paid: z.boolean(),
  status: z.string(),
  currency: z.string().max(16),
});

const DisputeShape = z.object({ id, payment_intent: intentRef, status: z.string() });

/** The shape the payload of an event type we act on must have; undefined for other types. */
export function payloadShapeFor(type: string): z.ZodType | undefined {
  if (type.startsWith('payment_intent.')) return PaymentIntentShape;
  if (type === 'charge.refunded') return ChargeShape;
  if (type.startsWith('charge.dispute.')) return DisputeShape;
  return undefined;
}
