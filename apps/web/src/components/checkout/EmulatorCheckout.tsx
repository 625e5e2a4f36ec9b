import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { ClientConfig, CreditPackageDto } from '@app/shared';
import { friendlyMessage } from '../../api/errors';
import { useCreateIntent, useRefreshPayments } from '../../api/mutations';
import { friendlyCardMessage } from '../../lib/cardMessages';
import { formatCardNumber, formatExpiry, validateCard, type CardFormErrors } from '../../lib/card';
import { formatCents } from '../../lib/money';
import {
  CardPaymentError,
  authenticatePayment,
  confirmCardPayment,
  type EmulatedPaymentIntent,
} from '../../lib/stripeEmulator';
import { TEST_CARDS, TEST_CARD_CVC, TEST_CARD_EXPIRY } from '../../lib/testCards';
import { useSubmissionKey } from '../../hooks/useSubmissionKey';
import { Alert } from '../Alert';
import { Field } from '../Field';
import { ThreeDSChallenge } from './ThreeDSChallenge';
import styles from './EmulatorCheckout.module.css';

interface EmulatorCheckoutProps {
  pkg: CreditPackageDto;
  config: ClientConfig;
  onPaid: (paymentIntentId: string) => void;
  onBusyChange?: (busy: boolean) => void;
}

type Target = Parameters<typeof confirmCardPayment>[0];
type Phase = 'form' | 'paying' | 'challenge' | 'authenticating';

/**
 * Test-mode checkout against the bundled Stripe emulator: the same card → confirm → 3-D Secure
 * sequence Stripe.js runs, with the documented test cards one click away.
 */
export function EmulatorCheckout({ pkg, config, onPaid, onBusyChange }: EmulatorCheckoutProps) {
  const createIntent = useCreateIntent();
  const submission = useSubmissionKey<{ packageId: number; number: string }>();
  const refreshPayments = useRefreshPayments();
  const [values, setValues] = useState({ number: '', expiry: '', cvc: '' });
  const [fieldErrors, setFieldErrors] = useState<CardFormErrors>({});
  const [phase, setPhaseState] = useState<Phase>('form');
  const [error, setError] = useState<string | null>(null);
  const target = useRef<Target | null>(null);
  const numberRef = useRef<HTMLInputElement>(null);
  const price = formatCents(pkg.priceCents, pkg.currency);

  // The form can appear after the dialog opened (config still loading): focus it when it does.
  useEffect(() => numberRef.current?.focus(), []);

  const setPhase = (next: Phase) => {
    setPhaseState(next);
    onBusyChange?.(next !== 'form');
  };

  const fail = (message: string) => {
    submission.settle();
    setError(message);
    setPhase('form');
    // A failed attempt is still a payment row with a status worth showing.
    refreshPayments();
  };

  const handleIntent = (intent: EmulatedPaymentIntent) => {
    if (intent.status === 'succeeded' || intent.status === 'processing') {
      submission.settle();
      submission.succeeded();
      setPhase('form');
      onPaid(intent.id);
    } else if (intent.status === 'requires_action') {
      setPhase('challenge');
    } else {
      fail(
        friendlyCardMessage(intent.last_payment_error?.message, intent.last_payment_error?.code) ??
          'The payment was not completed. Try again or use another card.',
      );
    }
  };

  const run = async (step: () => Promise<void>) => {
    try {
      await step();
    } catch (e) {
      fail(e instanceof CardPaymentError ? e.message : friendlyMessage(e));
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (phase !== 'form') return;
    const { card, errors } = validateCard(values);
    setFieldErrors(errors);
    if (!card) return;
    if (!config.stripeEmulatorUrl) {
      setError('Test checkout is not configured on this server.');
      return;
    }
    const baseUrl = config.stripeEmulatorUrl;
    setError(null);
    setPhase('paying');
    // One key per intended payment (this package, this card): paying again after a network
    // error reuses the intent; another card or a success starts a new one.
    const idempotencyKey = submission.begin({ packageId: pkg.id, number: values.number });
    if (!idempotencyKey) return;
    void run(async () => {
      const intent = await createIntent.mutateAsync({ packageId: pkg.id, idempotencyKey });
      target.current = {
        baseUrl,
        publishableKey: config.stripePublishableKey,
        paymentIntentId: intent.paymentIntentId,
        clientSecret: intent.clientSecret,
      };
      handleIntent(await confirmCardPayment(target.current, card));
    });
  };

  const authenticate = (outcome: 'approve' | 'deny') => {
    const current = target.current;
    if (!current) return;
    setPhase('authenticating');
    void run(async () => handleIntent(await authenticatePayment(current, outcome)));
  };

  const fill = (number: string) => {
    setValues({ number, expiry: TEST_CARD_EXPIRY, cvc: TEST_CARD_CVC });
    setFieldErrors({});
    setError(null);
    numberRef.current?.focus();
  };

  const busy = phase !== 'form';
  return (
    <>
      <div className={styles.testCards}>
        <p className={styles.testCardsTitle}>Test cards</p>
        <div className={styles.testCardsList}>
          {TEST_CARDS.map((card) => (
            <button
              key={card.number}
              type="button"
              className={styles.testCard}
              onClick={() => fill(card.number)}
              disabled={busy}
            >
              {/* The name begins with what is on the button (WCAG 2.5.3: label in name). */}
              <span className={styles.testCardLabel}>{card.label}</span>{' '}
              <span className="mono">•••• {card.number.slice(-4)}</span>
              <span className="visually-hidden">
                . Fill test card {card.number}: {card.outcome}
              </span>
            </button>
          ))}
        </div>
      </div>

      <form className="form-stack" onSubmit={onSubmit} noValidate aria-label="Card details">
        <Field
          ref={numberRef}
          label="Card number"
          name="cardnumber"
          inputMode="numeric"
          autoComplete="cc-number"
          placeholder="1234 1234 1234 1234"
          value={values.number}
          onChange={(e) => setValues((v) => ({ ...v, number: formatCardNumber(e.target.value) }))}
          error={fieldErrors.number}
          disabled={busy}
          data-autofocus
        />
        <div className="form-row form-row-tight">
          <Field
            label="Expiry"
            name="exp-date"
            inputMode="numeric"
            autoComplete="cc-exp"
            placeholder="MM / YY"
            value={values.expiry}
            onChange={(e) => setValues((v) => ({ ...v, expiry: formatExpiry(e.target.value) }))}
            error={fieldErrors.expiry}
            disabled={busy}
          />
          <Field
            label="CVC"
            name="cvc"
            inputMode="numeric"
            autoComplete="cc-csc"
            placeholder="123"
            maxLength={4}
            value={values.cvc}
            onChange={(e) => setValues((v) => ({ ...v, cvc: e.target.value.replace(/\D/g, '') }))}
            error={fieldErrors.cvc}
            disabled={busy}
          />
        </div>
        {error ? (
          <Alert tone="error" title="Payment failed">
            <span data-testid="payment-error">{error}</span>
          </Alert>
        ) : null}
        <button type="submit" className="button button-large button-block" disabled={busy}>
          {phase === 'form' ? `Pay ${price}` : 'Processing…'}
        </button>
      </form>

      {phase === 'challenge' || phase === 'authenticating' ? (
        <ThreeDSChallenge
          amount={price}
          busy={phase === 'authenticating'}
          onApprove={() => authenticate('approve')}
          onDeny={() => authenticate('deny')}
        />
      ) : null}
    </>
  );
}
