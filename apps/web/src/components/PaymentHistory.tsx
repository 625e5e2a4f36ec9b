import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Payment } from '@app/shared';
import { usePaymentsPage } from '../api/queries';
import { friendlyCardMessage } from '../lib/cardMessages';
import { formatDateTime } from '../lib/dates';
import { formatCents, formatNumber } from '../lib/money';
import { ErrorMessage } from './ErrorMessage';
import { PendingPaymentActions } from './checkout/PendingPaymentActions';
import { Pagination } from './Pagination';
import { Spinner } from './Spinner';
import { PaymentStatusPill } from './StatusPill';
import styles from './PaymentHistory.module.css';

const PAGE_SIZE = 10;

function paymentNote(p: Payment): string {
  const notes: string[] = [];
  const failure = friendlyCardMessage(p.failureMessage);
  if (failure) notes.push(failure);
  if (p.amountRefundedCents > 0)
    notes.push(`${formatCents(p.amountRefundedCents, p.currency)} refunded`);
  if (p.creditsClawedBack > 0) notes.push(`${formatNumber(p.creditsClawedBack)} credits reclaimed`);
  return notes.join(' · ');
}

export function PaymentHistory() {
  const [page, setPage] = useState(1);
  const query = usePaymentsPage(page, PAGE_SIZE);
  const data = query.data;
  return (
    <section className="card section-card" aria-labelledby="payments-heading">
      <div className="section-header">
        <h2 id="payments-heading" className="card-title">
          Payments
        </h2>
      </div>
      {query.isPending ? (
        <Spinner label="Loading payments…" />
      ) : query.error ? (
        <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
      ) : data && data.payments.length === 0 ? (
        <p className="empty">No payments yet. Packages you buy show up here with their receipts.</p>
      ) : data ? (
        <>
          <div className={`table-wrap${query.isPlaceholderData ? ' is-stale' : ''}`}>
            <table className="table responsive-table" data-testid="payments-table">
              <caption className="visually-hidden">Payments, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Package</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col" className="num">
                    Credits
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">Card</th>
                  <th scope="col">Notes</th>
                  <th scope="col">Receipt</th>
                </tr>
              </thead>
              <tbody>
                {data.payments.map((p) => (
                  <tr key={p.id}>
                    <td data-label="Date">{formatDateTime(p.createdAt)}</td>
                    <td data-label="Package">{p.packageName}</td>
                    <td data-label="Amount" className="num">
                      {formatCents(p.amountCents, p.currency)}
                    </td>
                    <td data-label="Credits" className="num">
                      {formatNumber(p.credits)}
                    </td>
                    <td data-label="Status">
                      <PaymentStatusPill status={p.status} />
                    </td>
                    <td data-label="Card">
                      {p.card ? (
                        `${p.card.brand.toUpperCase()} •••• ${p.card.last4}`
                      ) : (
                        <span aria-hidden="true">—</span>
                      )}
                    </td>
                    <td data-label="Notes" className={styles.cellNote}>
                      {paymentNote(p) || <span aria-hidden="true">—</span>}
                      {p.status === 'requires_action' ? (
                        <PendingPaymentActions payment={p} />
                      ) : null}
                    </td>
                    <td data-label="Receipt">
                      {p.hasReceipt ? (
                        <Link to={`/receipts/${encodeURIComponent(p.id)}`}>Receipt</Link>
                      ) : null}
                      {p.stripeReceiptUrl ? (
                        <>
                          {p.hasReceipt ? ' · ' : null}
                          <a href={p.stripeReceiptUrl} target="_blank" rel="noreferrer noopener">
                            Stripe
                          </a>
                        </>
                      ) : null}
                      {!p.hasReceipt && !p.stripeReceiptUrl ? (
                        <span aria-hidden="true">—</span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            pagination={data.pagination}
            onPageChange={setPage}
            label="Payment pages"
            busy={query.isFetching}
          />
        </>
      ) : null}
    </section>
  );
}
