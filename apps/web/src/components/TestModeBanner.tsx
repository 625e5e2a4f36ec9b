import { useConfig } from '../api/queries';
import styles from './TestModeBanner.module.css';

/** Nobody should mistake the emulator (or Stripe test mode) for real checkout. */
export function TestModeBanner() {
  const { data: config } = useConfig();
  if (!config || config.stripeMode === 'live') return null;
  if (config.stripeMode === 'test') {
    return (
      <aside className={`${styles.root} ${styles.small}`} aria-label="Test mode">
        Stripe test mode: use a test card, no real charges.
      </aside>
    );
  }
  return (
    // A landmark of its own: content outside every landmark is skipped by landmark navigation.
    <aside className={styles.root} aria-label="Test mode">
      <strong>Test mode</strong>
      <span>
        <span className={styles.details}>
          Payments go to a built-in Stripe emulator and no money moves.{' '}
        </span>
        Pay with test card <span className="mono">4242 4242 4242 4242</span>.
      </span>
    </aside>
  );
}
