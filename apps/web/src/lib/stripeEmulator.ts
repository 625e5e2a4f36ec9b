import { z } from 'zod';
import { friendlyCardMessage } from './cardMessages';

/**
 * Browser side of the bundled Stripe emulator: the same two calls Stripe.js makes for a card
 * payment (confirm, then 3-D Secure authentication), spoken as form-encoded Stripe API requests.
 * The server's `/emulator/stripe` proxy forwards nothing else (besides reading an intent), and
 * only with the publishable key in the Authorization header plus the intent's client secret.
 */

const PaymentIntentSchema = z.object({
  id: z.string(),
  status: z.string(),
  next_action: z.unknown().nullish(),
  last_payment_error: z
    .object({ message: z.string().nullish(), code: z.string().nullish() })
    .nullish(),
});
export type EmulatedPaymentIntent = z.infer<typeof PaymentIntentSchema>;

const StripeErrorSchema = z.object({
  error: z.object({
    type: z.string().nullish(),
    code: z.string().nullish(),
    decline_code: z.string().nullish(),
    message: z.string().nullish(),
  }),
});

/** A failure the payer should read (declined card, failed authentication, ...). */
export class CardPaymentError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'CardPaymentError';
  }
}

export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

interface EmulatorTarget {
  baseUrl: string;
  publishableKey: string;
  paymentIntentId: string;
  clientSecret: string;
}

async function post(
  target: EmulatorTarget,
  action: 'confirm' | 'authenticate',
  fields: Record<string, string>,
): Promise<EmulatedPaymentIntent> {
  const base = target.baseUrl.replace(/\/+$/, '');
  const url = `${base}/v1/payment_intents/${encodeURIComponent(target.paymentIntentId)}/${action}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${target.publishableKey}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ client_secret: target.clientSecret, ...fields }).toString(),
    });
  } catch {
    throw new CardPaymentError(
      'We could not reach the payment service. Check your connection and try again.',
      'network_error',
    );
  }
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const parsed = StripeErrorSchema.safeParse(json);
    const message =
      (parsed.success && friendlyCardMessage(parsed.data.error.message, parsed.data.error.code)) ||
      'The payment could not be processed. Please try again.';
    throw new CardPaymentError(message, parsed.success ? (parsed.data.error.code ?? null) : null);
  }
  const intent = PaymentIntentSchema.safeParse(json);
  if (!intent.success) {
    throw new CardPaymentError('The payment service sent an unexpected answer.', 'bad_response');
  }
  return intent.data;
}

export function confirmCardPayment(
  target: EmulatorTarget,
  card: CardDetails,
): Promise<EmulatedPaymentIntent> {
  return post(target, 'confirm', {
    'payment_method_data[type]': 'card',
    'payment_method_data[card][number]': card.number,
    'payment_method_data[card][exp_month]': String(card.expMonth),
    'payment_method_data[card][exp_year]': String(card.expYear),
    'payment_method_data[card][cvc]': card.cvc,
  });
}

export function authenticatePayment(
  target: EmulatorTarget,
  outcome: 'approve' | 'deny',
): Promise<EmulatedPaymentIntent> {
  return post(target, 'authenticate', { outcome });
}
