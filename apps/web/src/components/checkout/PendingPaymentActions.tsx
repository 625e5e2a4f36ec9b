import { useState } from 'react';
import type { Payment } from '@app/shared';
import { cancelPendingPayment, resumePayment } from '../../api/client';
import { friendlyMessage } from '../../api/errors';
import { useConfirmPayment, useRefreshPayments } from '../../api/mutations';
import { useConfig } from '../../api/queries';
import { useSubmissionKey } from '../../hooks/useSubmissionKey';
import { formatCents } from '../../lib/money';
import { CardPaymentError, authenticatePayment } from '../../lib/stripeEmulator';
import { ThreeDSChallenge } from './ThreeDSChallenge';

type Target = Parameters<typeof authenticatePayment>[0];

/**
 * For a payment stuck in "Needs authentication" (the page was reloaded during the bank's
 * challenge): finish it, reopening the challenge with the intent's client secret, or cancel it.
 */
export function PendingPaymentActions({ payment }: { payment: Payment }) {
  const config = useConfig().data;
  const finalize = useConfirmPayment();
  const refreshPayments = useRefreshPayments();
  const resumeKey = useSubmissionKey<string>();
  const cancelKey = useSubmissionKey<string>();
  const [target, setTarget] = useState<Target | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const amount = formatCents(payment.amountCents, payment.currency);

  const act = async (step: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await step();
    } catch (e) {
      setError(e instanceof CardPaymentError ? e.message : friendlyMessage(e));
    } finally {
      setBusy(false);
      refreshPayments();
    }
  };

  const complete = () => {
    const key = resumeKey.begin(payment.id);
    if (!key || !config) return;
    void act(async () => {
      try {
        const intent = await resumePayment(payment.id, key);
        resumeKey.succeeded();
        if (config.stripeMode === 'emulator' && config.stripeEmulatorUrl) {
          setTarget({
            baseUrl: config.stripeEmulatorUrl,
            publishableKey: config.stripePublishableKey,
            paymentIntentId: intent.paymentIntentId,
            clientSecret: intent.clientSecret,
          });
          return;
        }
        // Real Stripe: Stripe.js opens the bank's page itself (loaded only now).
        const { loadStripe } = await import('@stripe/stripe-js');
        const stripe = await loadStripe(config.stripePublishableKey);
        const result = await stripe?.handleNextAction({ clientSecret: intent.clientSecret });
        if (result?.error) throw new Error(result.error.message ?? 'The bank did not approve it.');
        finalize.mutate(intent.paymentIntentId);
      } finally {
        resumeKey.settle();
      }
    });
  };

  const authenticate = (outcome: 'approve' | 'deny') => {
    const current = target;
    if (!current) return;
    void act(async () => {
      const intent = await authenticatePayment(current, outcome);
      setTarget(null);
      if (intent.status === 'succeeded' || intent.status === 'processing') {
        finalize.mutate(intent.id);
      } else {
        setError('The bank did not approve the payment. Nothing was charged.');
      }
    });
  };

  const cancel = () => {
    const key = cancelKey.begin(payment.id);
    if (!key) return;
    void act(async () => {
      try {
        await cancelPendingPayment(payment.id, key);
        cancelKey.succeeded();
      } finally {
        cancelKey.settle();
      }
    });
  };

  return (
    <div className="pending-payment-actions" data-testid="pending-payment-actions">
      <button
        type="button"
        className="button button-small"
        onClick={complete}
        disabled={busy || !config || finalize.isPending}
      >
        Complete payment
      </button>{' '}
      <button
        type="button"
        className="button button-ghost button-small"
        onClick={cancel}
        disabled={busy || finalize.isPending}
      >
        Cancel payment
      </button>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {finalize.error ? (
        <p className="field-error" role="alert">
          {friendlyMessage(finalize.error)}
        </p>
      ) : null}
      {target ? (
        <ThreeDSChallenge
          amount={amount}
          busy={busy}
          onApprove={() => authenticate('approve')}
          onDeny={() => authenticate('deny')}
        />
      ) : null}
    </div>
  );
}
