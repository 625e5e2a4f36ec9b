import { TRUST_POINTS } from '../../lib/trust';
import styles from './CheckoutTrust.module.css';

/** Who takes the money, what it buys, refunds and expiry: answered before the card is typed. */
export function CheckoutTrust() {
  return (
    <ul className={styles.list} aria-label="About this purchase" data-testid="checkout-trust">
      {TRUST_POINTS.map((t) => (
        <li key={t.title}>
          <strong>{t.title}</strong> {t.text}
        </li>
      ))}
    </ul>
  );
}
