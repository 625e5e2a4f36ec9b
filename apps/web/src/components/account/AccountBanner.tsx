import { useEffect, useState } from 'react';
import { useResendVerification } from '../../api/accountMutations';
import { friendlyMessage } from '../../api/errors';
import { useConfig } from '../../api/queries';
import { useAuth } from '../../auth/AuthProvider';
import { Alert } from '../Alert';
import { bonusWithheldNotice, forgetBonusWithheld } from './bonusNotice';
import styles from './AccountBanner.module.css';

/**
 * Account notices above every page: the address is not verified yet (with "resend"; blocking
 * when the server requires verification), and why a new account got no signup bonus.
 */
export function AccountBanner() {
  const { user } = useAuth();
  const { data: config } = useConfig();
  const [bonusWithheld, setBonusWithheld] = useState(bonusWithheldNotice);
  // Shown on this page view only (read in the initializer, forgotten after the first render).
  useEffect(forgetBonusWithheld, []);
  const resend = useResendVerification();

  const withheld = bonusWithheld ? (
    <Alert
      tone="info"
      className={styles.banner}
      title="No signup bonus for this account"
      action={
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => setBonusWithheld(false)}
        >
          Dismiss
        </button>
      }
    >
      The free credits are given once per mailbox, and this address (or another spelling of it, such
      as a +alias) already received them.
    </Alert>
  ) : null;

  if (!user || user.emailVerified) return withheld;
  const required = config?.requireVerifiedEmail ?? false;
  return (
    <>
      {withheld}
      <Alert
        tone={required ? 'warning' : 'info'}
        className={styles.banner}
        title="Please verify your email address"
        action={
          resend.isSuccess ? null : (
            <button
              type="button"
              className="button button-small"
              disabled={resend.isPending}
              onClick={() => resend.mutate()}
            >
              {resend.isPending ? 'Sending…' : 'Resend the link'}
            </button>
          )
        }
      >
        We sent a link to {user.email}.{' '}
        {required
          ? 'You can look around, but buying credits and generating videos need a verified address.'
          : 'Verifying keeps your account recoverable.'}
        {resend.isSuccess ? <p className={styles.sent}>{resend.data.message}</p> : null}
        {resend.error ? <p className={styles.sent}>{friendlyMessage(resend.error)}</p> : null}
      </Alert>
    </>
  );
}
