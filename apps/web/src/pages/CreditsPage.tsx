import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { CreditPackageDto } from '@app/shared';
import { friendlyMessage } from '../api/errors';
import { useConfirmPayment } from '../api/mutations';
import { Alert } from '../components/Alert';
import { CreditDashboard } from '../components/CreditDashboard';
import { PackageGrid } from '../components/PackageGrid';
import { PageHeader } from '../components/PageHeader';
import { PaymentHistory } from '../components/PaymentHistory';
import { PurchaseModal } from '../components/PurchaseModal';
import { TransactionHistory } from '../components/TransactionHistory';
import { formatCredits } from '../lib/money';
import styles from './CreditsPage.module.css';

export function CreditsPage() {
  const [params, setParams] = useSearchParams();
  const [buying, setBuying] = useState<CreditPackageDto | null>(null);

  // Stripe sends redirect-based payments back here with ?payment_intent=pi_...; confirm it.
  const returned = useConfirmPayment();
  const returnedIntent = params.get('payment_intent');
  const handledIntent = useRef<string | null>(null);
  const { mutate: confirmReturned } = returned;
  useEffect(() => {
    if (!returnedIntent || handledIntent.current === returnedIntent) return;
    handledIntent.current = returnedIntent;
    confirmReturned(returnedIntent);
    setParams({}, { replace: true });
  }, [returnedIntent, confirmReturned, setParams]);

  return (
    <div className="page">
      <PageHeader
        title="Credits"
        subtitle="Buy credits, follow your balance and download your history."
      />

      {returned.data?.payment.status === 'succeeded' ? (
        <Alert tone="success" title="Payment successful">
          {formatCredits(returned.data.payment.credits)} added to your balance.
        </Alert>
      ) : returned.error ? (
        <Alert tone="warning" title="We could not confirm your payment yet">
          {friendlyMessage(returned.error)}
        </Alert>
      ) : null}

      <CreditDashboard />

      <section className={styles.section} aria-labelledby="packages-heading">
        <div className={styles.sectionIntro}>
          <h2 id="packages-heading" className={styles.sectionTitle}>
            Buy credits
          </h2>
          <p className="muted">
            One-time purchases, no subscription. Pick the pack that fits how much you create.
          </p>
        </div>
        <PackageGrid onBuy={setBuying} />
      </section>

      <TransactionHistory />
      <PaymentHistory />

      {buying ? <PurchaseModal pkg={buying} onClose={() => setBuying(null)} /> : null}
    </div>
  );
}
