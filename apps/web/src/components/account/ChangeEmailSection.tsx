import { useState } from 'react';
import type { FormEvent } from 'react';
import { ChangeEmailRequestSchema } from '@app/shared';
import { useChangeEmail } from '../../api/accountMutations';
import { fieldErrors, friendlyMessage } from '../../api/errors';
import { useAuth } from '../../auth/AuthProvider';
import { Alert } from '../Alert';
import { Field } from '../Field';

/** The new address must confirm by link before it takes effect; the old one is told. */
export function ChangeEmailSection() {
  const { user } = useAuth();
  const [newEmail, setNewEmail] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});
  const mutation = useChangeEmail();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = ChangeEmailRequestSchema.safeParse({ newEmail, currentPassword });
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues)
        errors[String(issue.path[0] ?? '')] ??= issue.message;
      setFormErrors(errors);
      return;
    }
    setFormErrors({});
    mutation.mutate(parsed.data, { onSuccess: () => setCurrentPassword('') });
  };
  const serverFields = fieldErrors(mutation.error);
  const errors = { ...serverFields, ...formErrors };
  const otherError =
    mutation.error && Object.keys(serverFields).length === 0
      ? friendlyMessage(mutation.error)
      : null;

  return (
    <section className="card section-card" aria-labelledby="email-heading">
      <h2 id="email-heading" className="card-title">
        Email address
      </h2>
      <p className="muted">
        {user
          ? `You sign in with ${user.email}${user.emailVerified ? ' (verified)' : ' (not verified yet)'}. `
          : ''}
        A new address takes effect once you open the link we send to it.
      </p>
      {mutation.isSuccess ? (
        <Alert tone="success" title="Check your new inbox">
          {mutation.data.message}
        </Alert>
      ) : null}
      <form className="form-stack" onSubmit={onSubmit} noValidate>
        <Field
          label="New email address"
          type="email"
          name="newEmail"
          autoComplete="email"
          value={newEmail}
          onChange={(e) => setNewEmail(e.target.value)}
          error={errors.newEmail}
          required
        />
        <Field
          label="Your password (to confirm the change)"
          type="password"
          name="currentPassword"
          autoComplete="current-password"
          value={currentPassword}
          onChange={(e) => setCurrentPassword(e.target.value)}
          error={errors.currentPassword}
          required
        />
        {otherError ? <Alert tone="error">{otherError}</Alert> : null}
        <button type="submit" className="button" disabled={mutation.isPending}>
          {mutation.isPending ? 'Sending…' : 'Change email'}
        </button>
      </form>
    </section>
  );
}
