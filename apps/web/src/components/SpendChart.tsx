import { useId } from 'react';
import { useSearchParams } from 'react-router-dom';
import { SPEND_RANGE_DAYS, type SpendFeature, type SpendSummaryResponse } from '@app/shared';
import { useSpendSummary } from '../api/library';
import { formatShortDate } from '../lib/dates';
import { formatCredits, formatNumber } from '../lib/money';
import { ErrorMessage } from './ErrorMessage';
import { Spinner } from './Spinner';
import styles from './SpendChart.module.css';

export const FEATURE_LABELS: Record<SpendFeature, string> = {
  '720p': '720p minutes',
  '1080p': '1080p minutes',
  customMusic: 'Custom music',
  premiumTTS: 'Premium voice-over',
  aiEnhancement: 'AI enhancement',
};

type Range = (typeof SPEND_RANGE_DAYS)[number];
const DEFAULT_RANGE: Range = 30;

/** The chosen range lives in the URL (`?range=7`), like the transaction filters. */
export function readRange(params: URLSearchParams): Range {
  const n = Number(params.get('range'));
  return (SPEND_RANGE_DAYS as readonly number[]).includes(n) ? (n as Range) : DEFAULT_RANGE;
}

/** Spending per day over 7, 30 or 90 days, and what it went on (resolution minutes, add-ons). */
export function SpendChart() {
  const id = useId();
  const [params, setParams] = useSearchParams();
  const days = readRange(params);
  const summary = useSpendSummary(days);

  const choose = (d: Range) => {
    const next = new URLSearchParams(params);
    if (d === DEFAULT_RANGE) next.delete('range');
    else next.set('range', String(d));
    setParams(next, { replace: true });
  };

  return (
    <div className={`card ${styles.card}`} data-testid="spend-chart">
      <div className={styles.head}>
        <h3 className="card-title" id={`${id}-title`}>
          Spending
        </h3>
        <div className={styles.ranges} role="group" aria-label="Date range">
          {SPEND_RANGE_DAYS.map((d) => (
            <button
              key={d}
              type="button"
              className={`${styles.range}${d === days ? ` ${styles.rangeOn}` : ''}`}
              aria-pressed={d === days}
              onClick={() => choose(d)}
            >
              {d} days
            </button>
          ))}
        </div>
      </div>
      {summary.isPending ? (
        <Spinner label="Loading spending…" />
      ) : summary.error ? (
        <ErrorMessage error={summary.error} onRetry={() => void summary.refetch()} />
      ) : (
        <SpendBody data={summary.data} />
      )}
    </div>
  );
}

function SpendBody({ data }: { data: SpendSummaryResponse }) {
  const { totals, daily } = data;
  const max = Math.max(1, ...daily.map((d) => d.spent));
  const features = data.byFeature.filter((f) => f.credits > 0);
  const featureTotal = features.reduce((sum, f) => sum + f.credits, 0);
  const first = daily[0];
  const last = daily[daily.length - 1];

  return (
    <>
      <p className={styles.totals} data-testid="spend-totals">
        <strong>{formatCredits(totals.spent)}</strong> spent on {formatNumber(totals.videos)}{' '}
        {totals.videos === 1 ? 'video' : 'videos'} in the last {data.days} days
        {totals.refunded > 0 ? `, ${formatCredits(totals.refunded)} returned` : ''}
        {totals.purchased > 0 ? `, ${formatCredits(totals.purchased)} bought` : ''}.
      </p>
      {totals.spent === 0 ? (
        <p className={styles.empty}>No videos were charged in this period.</p>
      ) : (
        <>
          <div
            className={styles.bars}
            role="img"
            aria-label={`Credits spent per day, ${data.days} days: highest ${formatNumber(max)}.`}
          >
            {daily.map((d) => (
              <span
                key={d.date}
                className={styles.bar}
                style={{ height: `${(d.spent / max) * 100}%` }}
                title={`${d.date}: ${formatCredits(d.spent)}`}
              />
            ))}
          </div>
          {first && last ? (
            <div className={styles.xaxis} aria-hidden="true">
              <span>{formatShortDate(`${first.date}T12:00:00`)}</span>
              <span>{formatShortDate(`${last.date}T12:00:00`)}</span>
            </div>
          ) : null}
          <h4 className={styles.subhead}>By feature</h4>
          <ul className={styles.features} data-testid="spend-features">
            {features.map((f) => (
              <li key={f.feature} className={styles.feature}>
                <span className={styles.featureName}>{FEATURE_LABELS[f.feature]}</span>
                <span className={styles.track} aria-hidden="true">
                  <span
                    className={styles.fill}
                    style={{ width: `${(f.credits / featureTotal) * 100}%` }}
                  />
                </span>
                <span className={styles.featureValue}>
                  {formatCredits(f.credits)} · {Math.round((f.credits / featureTotal) * 100)}%
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
