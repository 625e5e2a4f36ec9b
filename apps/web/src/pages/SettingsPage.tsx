import { useState } from 'react';
import type { FormEvent } from 'react';
import { ChangePasswordRequestSchema } from '@app/shared';
import { useChangePassword, useSignOutEverywhere } from '../api/accountMutations';
import { ApiError } from '../api/client';
import { fieldErrors, friendlyMessage } from '../api/errors';
import { useAuth } from '../auth/AuthProvider';
import { Alert } from '../components/Alert';
import { Field } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { ChangeEmailSection } from '../components/account/ChangeEmailSection';
import { DeleteAccountSection } from '../components/account/DeleteAccountSection';
import { NotificationsSection } from '../components/account/NotificationsSection';

/**
 * Account settings: email address, password, mail preferences, sessions, deleting the account.
 */
export function SettingsPage() {
  const { user } = useAuth();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});

  const change = useChangePassword();
  const everywhere = useSignOutEverywhere();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = ChangePasswordRequestSchema.safeParse({ currentPassword, newPassword });
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? '');
        errors[key] ??= issue.message;
      }
      setFormErrors(errors);
      return;
    }
    setFormErrors({});
    change.mutate(parsed.data, {
      onSuccess: () => {
        setCurrentPassword('');
        setNewPassword('');
      },
    });
  };

  const serverFields = fieldErrors(change.error);
  const errors = { ...serverFields, ...formErrors };
  // A weak password comes back with the reason and a suggestion: show the server's words.
  const weak =
    change.error instanceof ApiError && change.error.code === 'WEAK_PASSWORD'
      ? change.error.message
      : undefined;
  const otherError =
    change.error && !weak && Object.keys(serverFields).length === 0
      ? friendlyMessage(change.error)
      : null;

  return (
    <div className="page">
      <PageHeader
        title="Settings"
        subtitle={user ? `Signed in as ${user.email}.` : 'Your account and sign-in.'}
      />

      <ChangeEmailSection />

      <section className="card section-card" aria-labelledby="password-heading">
        <h2 id="password-heading" className="card-title">
          Change password
        </h2>
        <p className="muted">Every other device is signed out when your password changes.</p>
        {change.isSuccess ? (
          <Alert tone="success" title="Password changed">
            You stay signed in here; every other session has been signed out.
          </Alert>
        ) : null}
        <form className="form-stack" onSubmit={onSubmit} noValidate>
          <Field
            label="Current password"
            type="password"
            name="currentPassword"
            autoComplete="current-password"
            value={currentPassword}
            onChange={(e) => setCurrentPassword(e.target.value)}
            error={errors.currentPassword}
            required
          />
          <Field
            label="New password"
            type="password"
            name="newPassword"
            autoComplete="new-password"
            hint="At least 8 characters. A few uncommon words make a strong, memorable password."
            value={newPassword}
            onChange={(e) => setNewPassword(e.target.value)}
            error={errors.newPassword ?? weak}
            required
          />
          {otherError ? <Alert tone="error">{otherError}</Alert> : null}
          <button type="submit" className="button" disabled={change.isPending}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </button>
        </form>
      </section>

      <section className="card section-card" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading" className="card-title">
          Sign out everywhere
        </h2>
        <p className="muted">
          Ends every session of your account, on every device and browser, including this one. Use
          it if you signed in on a shared computer or think someone else has access.
        </p>
        {everywhere.error ? <Alert tone="error">{friendlyMessage(everywhere.error)}</Alert> : null}
        <button
          type="button"
          className="button button-ghost"
          disabled={everywhere.isPending}
          onClick={() => everywhere.mutate()}
        >
          {everywhere.isPending ? 'Signing out…' : 'Sign out everywhere'}
        </button>
      </section>

      <NotificationsSection />

      <DeleteAccountSection />
    </div>
  );
}
