import { useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { LOW_BALANCE_THRESHOLD, calculateCost } from '@app/shared';
import { useBalance, useConfig } from '../api/queries';
import { formatCredits } from '../lib/money';
import { Alert } from './Alert';
import styles from './LowBalanceAlert.module.css';

const DISMISS_KEY = 'lumen.lowBalanceDismissedAt';
const SHORTEST_VIDEO = calculateCost({ durationMinutes: 1, resolution: '720p' }).total;

/**
 * Two states: a gentle low-balance warning (dismissible for the session, it comes back when the
 * balance drops further) and a blocking "you owe credits" state that cannot be dismissed.
 */
export function LowBalanceAlert() {
  const { data: balance } = useBalance();
  const { data: config } = useConfig();
  const location = useLocation();
  const [dismissedAt, setDismissedAt] = useState<number | null>(() => {
    const raw = sessionStorage.getItem(DISMISS_KEY);
    return raw === null ? null : Number(raw);
  });
  if (!balance) return null;
  const onCreditsPage = location.pathname.startsWith('/credits');
  const buyLink = onCreditsPage ? null : (
    <Link className="button button-small" to="/credits">
      Buy credits
    </Link>
  );

  if (balance.owesCredits || balance.creditBalance < 0) {
    const owed = Math.abs(Math.min(balance.creditBalance, 0));
    return (
      <Alert
        tone="error"
        className={styles.pageAlert}
        title={owed > 0 ? `Your account owes ${formatCredits(owed)}` : 'Your account owes credits'}
        action={buyLink}
      >
        A payment was refunded or disputed after its credits were spent. New video generations are
        blocked until you buy credits to bring your balance back above zero.
      </Alert>
    );
  }

  const threshold = config?.lowBalanceThreshold ?? LOW_BALANCE_THRESHOLD;
  const low = balance.lowBalance || balance.creditBalance < threshold;
  if (!low || (dismissedAt !== null && balance.creditBalance >= dismissedAt)) return null;

  const dismiss = () => {
    sessionStorage.setItem(DISMISS_KEY, String(balance.creditBalance));
    setDismissedAt(balance.creditBalance);
  };
  return (
    <Alert
      tone="warning"
      className={styles.pageAlert}
      title={
        balance.creditBalance === 0
          ? 'You are out of credits'
          : `Running low: ${formatCredits(balance.creditBalance)} left`
      }
      action={
        <>
          {buyLink}
          <button type="button" className="button button-ghost button-small" onClick={dismiss}>
            Dismiss
          </button>
        </>
      }
    >
      {balance.creditBalance < SHORTEST_VIDEO
        ? `A 1-minute 720p video costs ${formatCredits(SHORTEST_VIDEO)}, more than you have: buy credits to generate your next video.`
        : `A 1-minute 720p video costs ${formatCredits(SHORTEST_VIDEO)}. Top up so a longer or higher-quality video is not blocked.`}
    </Alert>
  );
}
