import { useSearchParams } from 'react-router-dom';
import { useBalance } from '../api/queries';
import { useSpendSummary } from '../api/library';
import { formatCredits, formatNumber } from '../lib/money';
import { ErrorMessage } from './ErrorMessage';
import { SpendChart, readRange } from './SpendChart';
import styles from './CreditDashboard.module.css';

export function CreditDashboard() {
  const balance = useBalance();
  // The same request as the chart's (same range, same cache entry): one summary, not the
  // whole history paged through in the browser.
  const [params] = useSearchParams();
  const days = readRange(params);
  const summary = useSpendSummary(days);
  const spending = {
    data: summary.data && { net: summary.data.totals.net, refunded: summary.data.totals.refunded },
    error: summary.error,
  };

  if (balance.error)
    return <ErrorMessage error={balance.error} onRetry={() => void balance.refetch()} />;
  const b = balance.data;
  const negative = b ? b.creditBalance < 0 : false;

  return (
    <section className={styles.dashboard} aria-labelledby="dashboard-heading">
      <h2 id="dashboard-heading" className="visually-hidden">
        Overview
      </h2>
      <div className={styles.statGrid}>
        <div
          className={`card ${styles.stat} ${styles.statPrimary}${negative ? ` ${styles.statNegative}` : ''}`}
        >
          <p className={styles.statLabel}>Current balance</p>
          <p className={styles.statValue} data-testid="dashboard-balance">
            {b ? formatNumber(b.creditBalance) : '…'}
            <span className={styles.statUnit}>credits</span>
          </p>
          {b?.owesCredits ? (
            <p className={styles.statNote}>Owed after a refund or dispute</p>
          ) : null}
        </div>
        <div className={`card ${styles.stat}`}>
          <p className={styles.statLabel}>Total purchased</p>
          <p className={styles.statValue}>
            {b ? formatNumber(b.totalCreditsPurchased) : '…'}
            <span className={styles.statUnit}>credits</span>
          </p>
        </div>
        <div className={`card ${styles.stat}`}>
          <p className={styles.statLabel}>Spent on videos, last {days} days</p>
          <p className={styles.statValue}>
            {spending.data ? formatNumber(spending.data.net) : spending.error ? '—' : '…'}
            <span className={styles.statUnit}>credits</span>
          </p>
          {spending.data && spending.data.refunded > 0 ? (
            <p className={styles.statNote}>
              after {formatCredits(spending.data.refunded)} returned for failed or canceled videos
            </p>
          ) : null}
        </div>
      </div>
      <SpendChart />
    </section>
  );
}
