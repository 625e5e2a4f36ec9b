import type { Transaction } from '@app/shared';
import { formatDateTime, formatShortDate, formatTime } from '../lib/dates';
import { formatNumber } from '../lib/money';

// SVG user units. The SVG stretches to its box (preserveAspectRatio="none") while the labels
// are HTML, so text stays readable at any width, phone included.
const W = 600;
const H = 160;
const PAD_Y = 10;

interface Point {
  balance: number;
  at: string;
}

/** A date, or the time of day when the whole chart covers a single day. */
function axisLabel(at: string, other: string): string {
  return formatShortDate(at) === formatShortDate(other) ? formatTime(at) : formatShortDate(at);
}

/** Balance before the oldest transaction, then after each one, oldest first. */
export function balancePoints(newestFirst: readonly Transaction[]): Point[] {
  const ordered = [...newestFirst].reverse();
  const first = ordered[0];
  if (!first) return [];
  return [
    { balance: first.balanceAfter - first.amount, at: first.createdAt },
    ...ordered.map((t) => ({ balance: t.balanceAfter, at: t.createdAt })),
  ];
}

/**
 * Credits over time as a step line (a balance holds until the next transaction). Points are
 * spaced evenly per transaction so bursts of activity stay readable.
 */
export function CreditChart({ transactions }: { transactions: readonly Transaction[] }) {
  const points = balancePoints(transactions);
  if (points.length < 2) {
    return (
      <p className="chart-empty">Your balance history appears here after your first transaction.</p>
    );
  }
  const values = points.map((p) => p.balance);
  const max = Math.max(...values, 0);
  const min = Math.min(...values, 0);
  const span = max - min || 1;
  // Each balance holds for one equal slot, so the latest balance is visible as a level too.
  const x = (i: number) => (i / points.length) * W;
  const y = (v: number) => PAD_Y + (1 - (v - min) / span) * (H - 2 * PAD_Y);

  let line = `M ${x(0)} ${y(points[0]!.balance)}`;
  for (let i = 1; i < points.length; i++) line += ` H ${x(i)} V ${y(points[i]!.balance)}`;
  line += ` H ${W}`;
  const area = `${line} V ${y(min)} H 0 Z`;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const description = `Balance went from ${formatNumber(first.balance)} to ${formatNumber(last.balance)} credits over the last ${points.length - 1} transactions, between ${formatDateTime(first.at)} and ${formatDateTime(last.at)}. Highest: ${formatNumber(max)}.`;
  const ticks = Array.from(new Set([max, Math.round((min + max) / 2), min]));

  return (
    <figure className="chart">
      <div className="chart-body">
        <div className="chart-yaxis" aria-hidden="true">
          {ticks.map((t) => (
            <span key={t} className="chart-tick" style={{ top: `${(y(t) / H) * 100}%` }}>
              {formatNumber(t)}
            </span>
          ))}
        </div>
        <svg
          className="chart-svg"
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={description}
        >
          <defs>
            <linearGradient id="chart-fill" x1="0" x2="0" y1="0" y2="1">
              <stop offset="0%" stopColor="currentColor" stopOpacity="0.22" />
              <stop offset="100%" stopColor="currentColor" stopOpacity="0.02" />
            </linearGradient>
          </defs>
          {ticks.map((t) => (
            <line
              key={t}
              className="chart-grid"
              x1={0}
              x2={W}
              y1={y(t)}
              y2={y(t)}
              vectorEffect="non-scaling-stroke"
            />
          ))}
          {min < 0 ? (
            <line
              className="chart-zero"
              x1={0}
              x2={W}
              y1={y(0)}
              y2={y(0)}
              vectorEffect="non-scaling-stroke"
            />
          ) : null}
          <path d={area} fill="url(#chart-fill)" />
          <path d={line} className="chart-line" fill="none" vectorEffect="non-scaling-stroke" />
        </svg>
      </div>
      <div className="chart-xaxis" aria-hidden="true">
        <span>{axisLabel(first.at, last.at)}</span>
        <span>{axisLabel(last.at, first.at)}</span>
      </div>
      <figcaption className="chart-caption">
        Balance over your last {points.length - 1}{' '}
        {points.length - 1 === 1 ? 'transaction' : 'transactions'}
      </figcaption>
    </figure>
  );
}
