import { useEffect, useState, type RefObject } from 'react';
import { formatCredits } from '../../lib/money';
import styles from './StickyGenerateBar.module.css';

/**
 * Phones only (CSS): the cost and a Generate button pinned to the bottom of the screen while
 * the real generate box, far below the form, is out of view. Hidden as soon as that box shows,
 * so there is never a second button in sight.
 */
export function StickyGenerateBar({
  target,
  cost,
  balanceAfter,
  disabled,
  submitting,
  reason,
}: {
  /** The generate box this bar stands in for. */
  target: RefObject<HTMLElement | null>;
  cost: number | null;
  balanceAfter: number | null;
  disabled: boolean;
  submitting: boolean;
  /** Why the button is disabled, in a few words. */
  reason: string | null;
}) {
  const [targetVisible, setTargetVisible] = useState(false);
  useEffect(() => {
    const el = target.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(([entry]) =>
      setTargetVisible(Boolean(entry?.isIntersecting)),
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [target]);

  return (
    <>
      {/* Room at the end of the page, so the bar never covers the last of it. */}
      <div className={styles.spacer} aria-hidden="true" />
      {targetVisible ? null : (
        <div className={styles.bar} data-testid="sticky-generate-bar">
          <div className={styles.figures}>
            <span className={styles.cost}>{cost === null ? '—' : formatCredits(cost)}</span>
            <span className={styles.after}>
              {reason ??
                (balanceAfter === null
                  ? 'Choose a duration'
                  : `${formatCredits(balanceAfter)} left after`)}
            </span>
          </div>
          <button type="submit" className="button" disabled={disabled || submitting}>
            {submitting ? 'Starting…' : 'Generate'}
          </button>
        </div>
      )}
    </>
  );
}
