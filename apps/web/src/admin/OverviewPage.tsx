import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorMessage } from '../components/ErrorMessage';
import { Spinner } from '../components/Spinner';
import { formatCents, formatNumber } from '../lib/money';
import { adminKeys, getOverview, FRESH } from './api';
import styles from './admin.module.css';
import { DailyBarChart } from './DailyBarChart';

const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)} %`);

export function OverviewPage() {
  const [days, setDays] = useState(30);
  const query = useQuery({
    queryKey: [...adminKeys.all, 'overview', days],
    ...FRESH,
    queryFn: () => getOverview(days),
    refetchInterval: 60_000,
  });
  if (query.isPending) return <Spinner />;
  if (query.isError)
    return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  const o = query.data;
  const labels = o.days.map((d) => d.day);
  const tiles = [
    ['Revenue', formatCents(o.totals.revenueCents, o.currency)],
    ['Credits sold', formatNumber(o.totals.creditsSold)],
    ['Credits spent', formatNumber(o.totals.creditsSpent)],
    ['Payment success', percent(o.totals.paymentSuccessRate)],
    ['Refund rate', percent(o.totals.refundRate)],
    ['Failed renders', formatNumber(o.totals.failedRenders)],
    ['Queue (waiting / rendering)', `${o.queue.queued} / ${o.queue.processing}`],
    ['Pending approvals', formatNumber(o.pendingApprovals)],
  ];
  return (
    <section aria-labelledby="overview-title">
      <div className={styles.filters}>
        <h2 id="overview-title" className="card-title">
          Last {days} days
        </h2>
        <label className="field-inline">
          <span className="field-label">Window</span>
          <select className="input" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[7, 30, 90].map((d) => (
              <option key={d} value={d}>
                {d} days
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className={styles.tiles}>
        {tiles.map(([label, value]) => (
          <div key={label} className={styles.tile} data-testid={`tile-${label}`}>
            <div className={styles.tileLabel}>{label}</div>
            <div className={styles.tileValue}>{value}</div>
          </div>
        ))}
      </div>
      <div className={styles.charts}>
        <DailyBarChart
          title="Revenue"
          days={labels}
          series={[{ label: 'Revenue', values: o.days.map((d) => d.revenueCents) }]}
          format={(n) => formatCents(n, o.currency)}
        />
        <DailyBarChart
          title="Credits sold and spent"
          days={labels}
          series={[
            { label: 'Sold', values: o.days.map((d) => d.creditsSold) },
            { label: 'Spent', values: o.days.map((d) => d.creditsSpent) },
          ]}
          format={formatNumber}
        />
        <DailyBarChart
          title="Payments succeeded and failed"
          days={labels}
          series={[
            { label: 'Succeeded', values: o.days.map((d) => d.paymentsSucceeded) },
            { label: 'Failed', values: o.days.map((d) => d.paymentsFailed) },
          ]}
          format={formatNumber}
        />
        <DailyBarChart
          title="Failed renders"
          days={labels}
          series={[{ label: 'Failed', values: o.days.map((d) => d.failedRenders) }]}
          format={formatNumber}
        />
      </div>
    </section>
  );
}
