import { Modal } from '../Modal';
import styles from './ThreeDSChallenge.module.css';

interface ThreeDSChallengeProps {
  amount: string;
  busy: boolean;
  onApprove: () => void;
  onDeny: () => void;
}

/**
 * Stands in for the bank's 3-D Secure page in test mode. Closing it counts as failing the
 * authentication, as it does with a real bank challenge.
 */
export function ThreeDSChallenge({ amount, busy, onApprove, onDeny }: ThreeDSChallengeProps) {
  return (
    <Modal
      title="Confirm this payment with your bank"
      description={`Your bank asks you to approve a payment of ${amount}. This is a simulated 3-D Secure check: choose how the test should go.`}
      onClose={() => {
        if (!busy) onDeny();
      }}
      role="alertdialog"
      size="sm"
    >
      <div className={styles.root}>
        <div className={styles.bank} aria-hidden="true">
          <svg viewBox="0 0 20 20" fill="currentColor">
            <path d="M10 1.5a4.5 4.5 0 0 0-4.5 4.5v2H5a2 2 0 0 0-2 2v6.5a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V10a2 2 0 0 0-2-2h-.5V6A4.5 4.5 0 0 0 10 1.5Zm-2.5 4.5a2.5 2.5 0 0 1 5 0v2h-5V6Z" />
          </svg>
          <span>Test Bank · Secure checkout</span>
        </div>
        <div className="button-row">
          <button
            type="button"
            className="button"
            onClick={onApprove}
            disabled={busy}
            data-autofocus
          >
            Complete authentication
          </button>
          <button
            type="button"
            className="button button-danger-outline"
            onClick={onDeny}
            disabled={busy}
          >
            Fail authentication
          </button>
        </div>
        {busy ? <p className="muted">Checking with your bank…</p> : null}
      </div>
    </Modal>
  );
}
