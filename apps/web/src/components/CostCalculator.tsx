import {
  ADD_ON_CREDITS,
  creditsValueCents,
  type CostBreakdown,
  type CreditPackage,
} from '@app/shared';
import { formatCents, formatCredits, formatNumber } from '../lib/money';
import styles from './CostCalculator.module.css';

const ADD_ON_LABELS: Record<keyof typeof ADD_ON_CREDITS, string> = {
  customMusic: 'Custom music',
  premiumTTS: 'Premium voice-over',
  aiEnhancement: 'AI enhancement',
};

interface CostCalculatorProps {
  /** From the shared `calculateCost`; null while the duration is not valid. */
  cost: CostBreakdown | null;
  durationMinutes: number;
  resolution: string;
  balance: number | undefined;
  /** The package whose per-credit price gives the dollar estimate. */
  valuePackage: CreditPackage;
}

export function CostCalculator({
  cost,
  durationMinutes,
  resolution,
  balance,
  valuePackage,
}: CostCalculatorProps) {
  const after = cost && balance !== undefined ? balance - cost.total : undefined;
  const short = after !== undefined && after < 0;
  return (
    <section className={`card ${styles.costCard}`} aria-labelledby="cost-heading">
      <h2 id="cost-heading" className={styles.cardEyebrow}>
        Estimated cost
      </h2>
      <p className={styles.costTotal} aria-live="polite" data-testid="cost-total">
        {cost ? (
          <>
            <span className={styles.costTotalValue}>{formatNumber(cost.total)}</span>
            <span className={styles.costTotalUnit}>{cost.total === 1 ? 'credit' : 'credits'}</span>
          </>
        ) : (
          <span className={styles.costTotalPlaceholder}>Enter a valid duration</span>
        )}
      </p>
      {cost ? (
        <>
          <p className={styles.costValue}>
            ≈ {formatCents(creditsValueCents(cost.total, valuePackage))} at {valuePackage.name} pack
            prices
          </p>
          <dl className={styles.breakdown}>
            <div className={styles.breakdownRow}>
              <dt>
                {cost.billedMinutes} min × {cost.creditsPerMinute} credits ({resolution})
                {cost.billedMinutes !== durationMinutes ? (
                  <span className={styles.breakdownNote}>
                    {formatNumber(durationMinutes)} min is billed as {cost.billedMinutes} started{' '}
                    {cost.billedMinutes === 1 ? 'minute' : 'minutes'}
                  </span>
                ) : null}
              </dt>
              <dd>{formatNumber(cost.baseCredits)}</dd>
            </div>
            {(Object.keys(ADD_ON_LABELS) as (keyof typeof ADD_ON_LABELS)[])
              .filter((key) => cost.addOns[key] > 0)
              .map((key) => (
                <div className={styles.breakdownRow} key={key}>
                  <dt>{ADD_ON_LABELS[key]}</dt>
                  <dd>+{cost.addOns[key]}</dd>
                </div>
              ))}
            <div className={`${styles.breakdownRow} ${styles.breakdownTotal}`}>
              <dt>Total</dt>
              <dd>{formatCredits(cost.total)}</dd>
            </div>
          </dl>
          <dl className={styles.balanceRows}>
            <div className={styles.breakdownRow}>
              <dt>Your balance</dt>
              <dd>{balance === undefined ? '…' : formatCredits(balance)}</dd>
            </div>
            <div className={`${styles.breakdownRow}${short ? ' text-danger' : ''}`}>
              <dt>Balance after</dt>
              <dd data-testid="balance-after">
                {after === undefined ? '…' : formatCredits(after)}
              </dd>
            </div>
          </dl>
        </>
      ) : null}
    </section>
  );
}

export { ADD_ON_LABELS };
