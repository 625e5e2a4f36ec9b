import { Suspense, lazy, useState } from 'react';
import { Link } from 'react-router-dom';
import type { CreditPackageDto } from '@app/shared';
import { friendlyMessage } from '../api/errors';
import { useConfirmPayment } from '../api/mutations';
import { useConfig } from '../api/queries';
import {
  formatCents,
  formatCredits,
  formatNumber,
  formatPricePerCredit,
  toPricingPackage,
} from '../lib/money';
import { Alert } from './Alert';
import { CheckoutTrust } from './checkout/CheckoutTrust';
import { EmulatorCheckout } from './checkout/EmulatorCheckout';
import { ErrorMessage } from './ErrorMessage';
import { Modal } from './Modal';
import { Spinner } from './Spinner';
import styles from './PurchaseModal.module.css';

// Stripe.js and the Elements bindings load only when a real-Stripe checkout is opened.
const StripeCheckout = lazy(() => import('./checkout/StripeCheckout'));

interface PurchaseModalProps {
  pkg: CreditPackageDto;
  onClose: () => void;
  /** After a successful payment, this replaces "Done" (the studio: "Generate video now"). */
  next?: { label: string; run: () => void };
}

export function PurchaseModal({ pkg, onClose, next }: PurchaseModalProps) {
  const config = useConfig();
  const [busy, setBusy] = useState(false);

  const finalize = useConfirmPayment();

  const price = formatCents(pkg.priceCents, pkg.currency);
  const payment = finalize.data?.payment;

  let body;
  if (finalize.isSuccess && payment?.status === 'succeeded') {
    body = (
      <div className={styles.purchaseResult} data-testid="purchase-success">
        <div className={`${styles.resultIcon} ${styles.resultIconSuccess}`} aria-hidden="true">
          ✓
        </div>
        <p className={styles.resultTitle} role="status">
          Payment successful: {formatCredits(payment.credits)} added
        </p>
        <p className="muted">
          Your balance is now {formatCredits(finalize.data.creditBalance)}.{' '}
          <Link
            to={`/receipts/${encodeURIComponent(payment.id)}`}
            className="text-link"
            onClick={onClose}
          >
            View the receipt
          </Link>
        </p>
        <button
          type="button"
          className="button button-block"
          onClick={() => {
            onClose();
            next?.run();
          }}
          autoFocus
        >
          {next ? next.label : 'Done'}
        </button>
      </div>
    );
  } else if (finalize.isSuccess) {
    body = (
      <div className={styles.purchaseResult}>
        <Alert tone="info" title="Payment received, still processing">
          {payment?.failureMessage ??
            'Your bank is still confirming the payment. Credits are added automatically as soon as it clears.'}
        </Alert>
        <button type="button" className="button button-block" onClick={onClose}>
          Close
        </button>
      </div>
    );
  } else if (finalize.isPending) {
    body = <Spinner label="Payment approved. Adding your credits…" />;
  } else if (finalize.error) {
    body = (
      <div className={styles.purchaseResult}>
        <Alert tone="warning" title="We could not confirm your payment yet">
          {friendlyMessage(finalize.error)} If your card was charged, the credits are added
          automatically within a minute.
        </Alert>
        <button type="button" className="button button-block" onClick={onClose}>
          Close
        </button>
      </div>
    );
  } else if (config.isPending) {
    body = <Spinner label="Loading checkout…" />;
  } else if (config.error) {
    body = <ErrorMessage error={config.error} onRetry={() => void config.refetch()} />;
  } else if (config.data.stripeMode === 'emulator') {
    body = (
      <EmulatorCheckout
        pkg={pkg}
        config={config.data}
        onPaid={(id) => finalize.mutate(id)}
        onBusyChange={setBusy}
      />
    );
  } else {
    body = (
      <Suspense fallback={<Spinner label="Loading secure checkout…" />}>
        <StripeCheckout
          pkg={pkg}
          config={config.data}
          onPaid={(id) => finalize.mutate(id)}
          onBusyChange={setBusy}
        />
      </Suspense>
    );
  }

  return (
    <Modal
      title={`Buy ${pkg.name}`}
      onClose={() => {
        // Closing mid-charge would hide the outcome; the charge itself cannot be stopped.
        if (!busy && !finalize.isPending) onClose();
      }}
    >
      <div className={styles.purchaseSummary}>
        <div>
          <p className={styles.purchaseCredits}>{formatCredits(pkg.totalCredits)}</p>
          <p className="muted">
            {pkg.bonusCredits > 0
              ? `${formatNumber(pkg.credits)} + ${formatNumber(pkg.bonusCredits)} bonus · `
              : ''}
            {formatPricePerCredit(toPricingPackage(pkg))} per credit
          </p>
        </div>
        <p className={styles.purchasePrice}>{price}</p>
      </div>
      {body}
      {finalize.isSuccess ? null : <CheckoutTrust />}
    </Modal>
  );
}
