import { useState } from 'react';
import type { FormEvent } from 'react';
import { useDeleteAccount } from '../../api/accountMutations';
import { fieldErrors, friendlyMessage } from '../../api/errors';
import { useBalance } from '../../api/queries';
import { formatCredits } from '../../lib/money';
import { Alert } from '../Alert';
import { Field } from '../Field';
import styles from './Settings.module.css';

/** Deleting forfeits the remaining credits: the warning says how many, the user confirms. */
export function DeleteAccountSection() {
  const { data: balance } = useBalance();
  const [password, setPassword] = useState('');
  const [acknowledged, setAcknowledged] = useState(false);
  const mutation = useDeleteAccount();
  const credits = Math.max(0, balance?.creditBalance ?? 0);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!acknowledged || !password) return;
    mutation.mutate({ password, acknowledgeForfeit: true });
  };
  const serverFields = fieldErrors(mutation.error);
  const otherError =
    mutation.error && Object.keys(serverFields).length === 0
      ? friendlyMessage(mutation.error)
      : null;

  return (
    <section className={`card section-card ${styles.danger}`} aria-labelledby="delete-heading">
      <h2 id="delete-heading" className="card-title">
        Delete account
      </h2>
      <p className={styles.warning}>
        {credits > 0
          ? `Your remaining ${formatCredits(credits)} will be forfeited and cannot be refunded or restored.`
          : 'This cannot be undone.'}
      </p>
      <p className="muted">
        Your name, email address, videos and prompts are removed. Payment and credit records are
        kept for accounting, without anything that identifies you.
      </p>
      <form className="form-stack" onSubmit={onSubmit} noValidate>
        <label className={styles.toggle}>
          <input
            type="checkbox"
            name="acknowledgeForfeit"
            checked={acknowledged}
            onChange={(e) => setAcknowledged(e.target.checked)}
          />
          <span>I understand that my credits are forfeited and my account cannot be restored</span>
        </label>
        <Field
          label="Password"
          type="password"
          name="deletePassword"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={serverFields.password}
          required
        />
        {otherError ? <Alert tone="error">{otherError}</Alert> : null}
        <button
          type="submit"
          className="button button-danger-outline"
          disabled={mutation.isPending || !acknowledged || !password}
        >
          {mutation.isPending ? 'Deleting…' : 'Delete my account'}
        </button>
      </form>
    </section>
  );
}
