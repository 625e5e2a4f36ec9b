import { useQuery } from '@tanstack/react-query';
import { LOW_BALANCE_THRESHOLD, type NotificationSettings } from '@app/shared';
import { getNotifications } from '../../api/account';
import { accountKeys, useSetNotifications } from '../../api/accountMutations';
import { friendlyMessage } from '../../api/errors';
import { Alert } from '../Alert';
import { Spinner } from '../Spinner';
import styles from './Settings.module.css';

export function NotificationsSection() {
  const query = useQuery({ queryKey: accountKeys.notifications, queryFn: getNotifications });
  const mutation = useSetNotifications();
  const current = query.data?.notifications;
  const toggle = (field: keyof NotificationSettings) => {
    if (!current) return;
    mutation.mutate({ ...current, [field]: !current[field] });
  };

  return (
    <section className="card section-card" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading" className="card-title">
        Email notifications
      </h2>
      {!current ? (
        query.error ? (
          <Alert tone="error">{friendlyMessage(query.error)}</Alert>
        ) : (
          <Spinner label="Loading…" />
        )
      ) : (
        <>
          <label className={styles.toggle}>
            <input
              type="checkbox"
              name="refundNotice"
              checked={current.refundNotice}
              disabled={mutation.isPending}
              onChange={() => toggle('refundNotice')}
            />
            <span>Tell me when a failed or canceled video gives my credits back</span>
          </label>
          <label className={styles.toggle}>
            <input
              type="checkbox"
              name="lowBalance"
              checked={current.lowBalance}
              disabled={mutation.isPending}
              onChange={() => toggle('lowBalance')}
            />
            <span>Email me once when my balance drops below {LOW_BALANCE_THRESHOLD} credits</span>
          </label>
          <p className="muted">Receipts and security emails are always sent.</p>
          {mutation.error ? <Alert tone="error">{friendlyMessage(mutation.error)}</Alert> : null}
        </>
      )}
    </section>
  );
}
