import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { loadStripe, type Stripe } from '@stripe/stripe-js';
import { Elements, PaymentElement, useElements, useStripe } from '@stripe/react-stripe-js';
import type { ClientConfig, CreditPackageDto } from '@app/shared';
import { createPaymentIntent } from '../../api/client';
import { formatCents } from '../../lib/money';
import { newIdempotencyKey } from '../../lib/uuid';
import { Alert } from '../Alert';
import { ErrorMessage } from '../ErrorMessage';
import { Spinner } from '../Spinner';

/**
 * Real Stripe checkout with the Payment Element. This module is only reached through a dynamic
 * import when the purchase modal opens, so Stripe.js never weighs on the first page load.
 */

const stripeByKey = new Map<string, Promise<Stripe | null>>();
function getStripe(publishableKey: string): Promise<Stripe | null> {
  let stripe = stripeByKey.get(publishableKey);
  if (!stripe) {
    stripe = loadStripe(publishableKey);
    stripeByKey.set(publishableKey, stripe);
  }
  return stripe;
}

interface StripeCheckoutProps {
  pkg: CreditPackageDto;
  config: ClientConfig;
  onPaid: (paymentIntentId: string) => void;
  onBusyChange?: (busy: boolean) => void;
}

export default function StripeCheckout({ pkg, config, onPaid, onBusyChange }: StripeCheckoutProps) {
  // The Payment Element needs the intent's client secret up front; one intent per modal opening.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const intent = useQuery({
    queryKey: ['payment-intent', pkg.id, idempotencyKey],
    queryFn: () => createPaymentIntent(pkg.id, idempotencyKey),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
  });

  if (intent.isPending) return <Spinner label="Preparing secure checkout…" />;
  if (intent.error) {
    return <ErrorMessage error={intent.error} onRetry={() => void intent.refetch()} />;
  }
  return (
    <Elements
      stripe={getStripe(config.stripePublishableKey)}
      options={{
        clientSecret: intent.data.clientSecret,
        appearance: {
          theme: 'stripe',
          variables: { colorPrimary: '#4f46e5', borderRadius: '8px', fontFamily: 'system-ui' },
        },
      }}
    >
      <PaymentForm
        price={formatCents(pkg.priceCents, pkg.currency)}
        onPaid={onPaid}
        onBusyChange={onBusyChange}
      />
    </Elements>
  );
}

function PaymentForm({
  price,
  onPaid,
  onBusyChange,
}: {
  price: string;
  onPaid: (paymentIntentId: string) => void;
  onBusyChange?: (busy: boolean) => void;
}) {
  const stripe = useStripe();
  const elements = useElements();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!stripe || !elements || busy) return;
    setBusy(true);
    onBusyChange?.(true);
    setError(null);
    // Cards finish in place (3-D Secure runs in Stripe's own modal); redirect-based methods
    // come back to /credits, which confirms the payment from the URL.
    const { error: stripeError, paymentIntent } = await stripe.confirmPayment({
      elements,
      redirect: 'if_required',
      confirmParams: { return_url: `${window.location.origin}/credits` },
    });
    setBusy(false);
    onBusyChange?.(false);
    if (stripeError) {
      setError(stripeError.message ?? 'The payment could not be completed. Please try again.');
    } else if (paymentIntent && ['succeeded', 'processing'].includes(paymentIntent.status)) {
      onPaid(paymentIntent.id);
    } else {
      setError('The payment was not completed. Please try again or use another card.');
    }
  };

  return (
    <form className="form-stack" onSubmit={(e) => void onSubmit(e)}>
      <PaymentElement options={{ layout: 'tabs' }} />
      {error ? (
        <Alert tone="error" title="Payment failed">
          <span data-testid="payment-error">{error}</span>
        </Alert>
      ) : null}
      <button type="submit" className="button button-large button-block" disabled={!stripe || busy}>
        {busy ? 'Processing…' : `Pay ${price}`}
      </button>
    </form>
  );
}
