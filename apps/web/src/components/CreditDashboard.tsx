import { useSearchParams } from 'react-router-dom';
import { useBalance } from '../api/queries';
import { useSpendSummary } from '../api/library';
import { formatCredits, formatNumber } from '../lib/money';
import { ErrorMessage } from './ErrorMessage';
import { SpendChart, readRange } from './SpendChart';

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
    <section className="dashboard" aria-labelledby="dashboard-heading">
      <h2 id="dashboard-heading" className="visually-hidden">
        Overview
      </h2>
      <div className="stat-grid">
        <div className={`card stat stat-primary${negative ? ' stat-negative' : ''}`}>
          <p className="stat-label">Current balance</p>
          <p className="stat-value" data-testid="dashboard-balance">
            {b ? formatNumber(b.creditBalance) : '…'}
            <span className="stat-unit">credits</span>
          </p>
          {b?.owesCredits ? <p className="stat-note">Owed after a refund or dispute</p> : null}
        </div>
        <div className="card stat">
          <p className="stat-label">Total purchased</p>
          <p className="stat-value">
            {b ? formatNumber(b.totalCreditsPurchased) : '…'}
            <span className="stat-unit">credits</span>
          </p>
        </div>
        <div className="card stat">
          <p className="stat-label">Spent on videos, last {days} days</p>
          <p className="stat-value">
            {spending.data ? formatNumber(spending.data.net) : spending.error ? '—' : '…'}
            <span className="stat-unit">credits</span>
          </p>
          {spending.data && spending.data.refunded > 0 ? (
            <p className="stat-note">
              after {formatCredits(spending.data.refunded)} returned for failed or canceled videos
            </p>
          ) : null}
        </div>
      </div>
      <SpendChart />
    </section>
  );
}
