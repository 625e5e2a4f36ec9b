import { useQuery } from '@tanstack/react-query';
import { getTransactions } from '../api/client';
import { fetchAllTransactions, queryKeys, useBalance } from '../api/queries';
import { formatCredits, formatNumber } from '../lib/money';
import { CreditChart } from './CreditChart';
import { ErrorMessage } from './ErrorMessage';
import { Spinner } from './Spinner';

const CHART_TRANSACTIONS = 100;

/** Net credits spent on videos: usage minus what failed or canceled renders gave back. */
async function fetchSpending() {
  const [usage, refunds] = await Promise.all([
    fetchAllTransactions({ type: 'usage' }),
    fetchAllTransactions({ type: 'refund' }),
  ]);
  const spent = usage.reduce((sum, t) => sum + Math.abs(t.amount), 0);
  const refunded = refunds.reduce((sum, t) => sum + Math.abs(t.amount), 0);
  return { spent, refunded, net: spent - refunded };
}

export function CreditDashboard() {
  const balance = useBalance();
  const recent = useQuery({
    queryKey: queryKeys.transactionsRecent,
    queryFn: () => getTransactions({ page: 1, pageSize: CHART_TRANSACTIONS }),
  });
  const spending = useQuery({ queryKey: queryKeys.transactionsTotals, queryFn: fetchSpending });

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
          <p className="stat-label">Spent on videos</p>
          <p className="stat-value">
            {spending.data ? formatNumber(spending.data.net) : spending.error ? '—' : '…'}
            <span className="stat-unit">credits</span>
          </p>
          {spending.data && spending.data.refunded > 0 ? (
            <p className="stat-note">
              after {formatCredits(spending.data.refunded)} refunded for failed videos
            </p>
          ) : null}
        </div>
      </div>
      <div className="card chart-card">
        <h3 className="card-title">Credits over time</h3>
        {recent.isPending ? (
          <Spinner label="Loading history…" />
        ) : recent.error ? (
          <ErrorMessage error={recent.error} onRetry={() => void recent.refetch()} />
        ) : (
          <CreditChart transactions={recent.data.transactions} />
        )}
      </div>
    </section>
  );
}
