import { Link } from 'react-router-dom';
import { useBalance } from '../api/queries';
import { formatNumber } from '../lib/money';
import styles from './CreditBadge.module.css';

/** Header balance. It reads the shared balance query, so every purchase, generation and refund
 * that invalidates that query shows up here without a reload. */
export function CreditBadge() {
  const { data, isPending, isError } = useBalance();
  const balance = data?.creditBalance;
  const tone =
    balance === undefined
      ? ''
      : data?.owesCredits || balance < 0
        ? 'danger'
        : data?.lowBalance
          ? 'warning'
          : '';
  // The accessible name starts with the words on screen ("10 credits"), so voice control users
  // can say what they see (WCAG 2.5.3); the rest is for screen readers only.
  const extra = isPending
    ? 'Loading credit balance'
    : isError || balance === undefined
      ? 'Credit balance unavailable'
      : 'available. Buy credits';
  return (
    <Link
      to="/credits"
      className={tone ? `${styles.root} ${styles[tone]}` : styles.root}
      data-testid="credit-badge"
    >
      <svg className={styles.icon} viewBox="0 0 20 20" aria-hidden="true">
        <circle cx="10" cy="10" r="8" />
        <path d="M10.8 5 6.5 11h3.2l-.6 4 4.4-6H10.3z" />
      </svg>
      <span className={styles.value} data-testid="credit-balance" aria-live="polite">
        {isPending ? '…' : balance === undefined ? '—' : formatNumber(balance)}
      </span>
      <span className={styles.unit}> credits</span>
      <span className="visually-hidden"> {extra}</span>
    </Link>
  );
}
