import { randomUUID } from 'node:crypto';
import type { PaymentDecision, Store } from '../../../src/store/types.ts';

export const now = () => new Date().toISOString();

export async function newUser(store: Store, bonus = 0): Promise<string> {
  const id = randomUUID();
  const user = await store.createUser({
    id,
    email: `${id}@example.com`,
    name: 'Contract',
    passwordHash: 'x',
    signupBonus: bonus,
    now: now(),
  });
  if (user === 'email_taken') throw new Error('email taken');
  return id;
}

export function charge(
  userId: string,
  cost: number,
  idempotency?: { key: string; requestHash?: string },
): Parameters<Store['chargeAndCreateVideo']>[0] {
  return {
    maxQueued: 1000,
    idempotency: idempotency && {
      scope: 'video.generate',
      key: idempotency.key,
      requestHash: idempotency.requestHash ?? 'hash',
    },
    video: {
      id: randomUUID(),
      userId,
      idempotencyKey: idempotency?.key ?? null,
      prompt: 'contract',
      durationMinutes: 1,
      resolution: '720p',
      customMusic: false,
      premiumTTS: false,
      aiEnhancement: false,
      creditsUsed: cost,
      createdAt: now(),
    },
  };
}

/** A paid package 1 (its credits), credited through the same decision path as a webhook. */
export async function paidPayment(store: Store, userId: string, intent: string) {
  const pkg = (await store.findPackage({ id: 1 }))!;
  const payment = await store.createPayment({ id: randomUUID(), userId, pkg, now: now() });
  await store.attachPaymentIntent({ paymentId: payment.id, paymentIntentId: intent, now: now() });
  const credit: PaymentDecision = (p) =>
    p.credited
      ? { patch: {}, entries: [], outcomes: ['no_change'] }
      : {
          patch: { status: 'succeeded', credited: true, amountReceivedCents: p.amountCents },
          entries: [
            {
              type: 'purchase',
              amount: p.credits,
              referenceType: 'payment',
              referenceId: p.id,
              description: 'Purchase',
            },
          ],
          outcomes: ['credited'],
        };
  return { payment, credit };
}

/**
 * A cumulative refund (Stripe's `amount_refunded`) decided from the payment as read: claws
 * back the credits of the refunded share not clawed back yet. Correct only if the payment
 * was read locked; an unlocked read lets two refunds both claw from the same starting point.
 */
export const refundTo =
  (refundedCents: number): PaymentDecision =>
  (p) => {
    if (refundedCents <= p.amountRefundedCents)
      return { patch: {}, entries: [], outcomes: ['no_change'] };
    const target = Math.floor((p.credits * refundedCents) / p.amountCents);
    const delta = target - p.creditsClawedBack;
    return {
      patch: { amountRefundedCents: refundedCents, creditsClawedBack: target },
      entries:
        delta > 0
          ? [
              {
                type: 'clawback',
                amount: -delta,
                referenceType: 'payment_reversal',
                referenceId: `${p.id}:${refundedCents}`,
                description: 'Refund',
              },
            ]
          : [],
      outcomes: ['clawed_back'],
    };
  };
