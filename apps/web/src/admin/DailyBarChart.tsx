import styles from './admin.module.css';

const W = 600;
const H = 160;

export interface Series {
  label: string;
  values: number[];
}

/**
 * One bar per day (a second series is drawn behind the first, lighter). Plain SVG like the
 * customer's balance chart, so the console adds no chart library to the bundle.
 */
export function DailyBarChart({
  title,
  days,
  series,
  format,
}: {
  title: string;
  days: string[];
  series: [Series] | [Series, Series];
  format: (n: number) => string;
}) {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const slot = W / Math.max(1, days.length);
  const bar = Math.max(1, slot * 0.7);
  const totals = series.map((s) => `${s.label}: ${format(s.values.reduce((a, b) => a + b, 0))}`);
  const description = `${title} per day from ${days[0]} to ${days[days.length - 1]}. ${totals.join('; ')}.`;
  return (
    <figure className={`card ${styles.chart}`}>
      <figcaption className="card-title">{title}</figcaption>
      <svg
        className={styles.chartSvg}
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={description}
      >
        {[...series].reverse().map((s, si) =>
          s.values.map((v, i) => {
            const height = (v / max) * (H - 4);
            return (
              <rect
                key={`${s.label}-${days[i]}`}
                className={si === 0 && series.length === 2 ? styles.barAlt : styles.bar}
                x={i * slot + (slot - bar) / 2}
                y={H - height}
                width={bar}
                height={height}
              >
                <title>{`${days[i]} ${s.label}: ${format(v)}`}</title>
              </rect>
            );
          }),
        )}
      </svg>
      <div className={styles.chartAxis} aria-hidden="true">
        <span>{days[0]}</span>
        <span>max {format(max)}</span>
        <span>{days[days.length - 1]}</span>
      </div>
      <p className="muted">{totals.join(' · ')}</p>
    </figure>
  );
}
