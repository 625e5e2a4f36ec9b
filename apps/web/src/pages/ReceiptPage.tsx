import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import type { Receipt } from '@app/shared';
import { getReceipt } from '../api/account';
import { ErrorMessage } from '../components/ErrorMessage';
import { Spinner } from '../components/Spinner';
import { formatDateTime } from '../lib/dates';
import { formatCents, formatNumber } from '../lib/money';
import styles from './ReceiptPage.module.css';

const cardName = (brand: string) =>
  brand === 'amex' ? 'American Express' : brand.charAt(0).toUpperCase() + brand.slice(1);

function rows(r: Receipt): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['Package', r.packageName],
    ['Credits', formatNumber(r.credits)],
    ['Bonus credits', formatNumber(r.bonusCredits)],
    ['Total credits', formatNumber(r.totalCredits)],
    ['Amount', formatCents(r.amountCents, r.currency)],
    ['Currency', r.currency.toUpperCase()],
    ['Card', r.card ? `${cardName(r.card.brand)} ending in ${r.card.last4}` : 'Card'],
    ['Date', formatDateTime(r.paidAt)],
    ['Payment ID', r.paymentId],
    ['Billed to', `${r.customerName} <${r.customerEmail}>`],
  ];
  if (r.amountRefundedCents > 0)
    out.push(['Refunded', formatCents(r.amountRefundedCents, r.currency)]);
  return out;
}

/** The receipt of one of the user's payments, laid out to print on its own. */
export function ReceiptPage() {
  const { paymentId = '' } = useParams();
  const query = useQuery({
    queryKey: ['receipt', paymentId],
    queryFn: () => getReceipt(paymentId),
  });
  if (query.isPending) return <Spinner label="Loading receipt…" />;
  if (query.error) {
    return (
      <div className="page">
        <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
      </div>
    );
  }
  const r = query.data.receipt;
  return (
    <div className="page">
      <article className={`card section-card ${styles.receipt}`} aria-labelledby="receipt-heading">
        <p className="muted">{r.productName}</p>
        <h1 id="receipt-heading" className="page-title">
          Receipt
        </h1>
        <p>
          {formatCents(r.amountCents, r.currency)} paid for {formatNumber(r.totalCredits)} credits.
        </p>
        <table className={styles.facts} data-testid="receipt-facts">
          <tbody>
            {rows(r).map(([label, value]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className={styles.actions}>
          <button type="button" className="button" onClick={() => window.print()}>
            Print
          </button>
          {r.stripeReceiptUrl ? (
            <a
              className="button button-ghost"
              href={r.stripeReceiptUrl}
              target="_blank"
              rel="noreferrer noopener"
            >
              Card receipt from Stripe
            </a>
          ) : null}
          <Link className="button button-ghost" to="/credits">
            Back to credits
          </Link>
        </div>
      </article>
    </div>
  );
}
