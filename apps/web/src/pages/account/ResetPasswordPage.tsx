import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { PasswordSchema } from '@app/shared';
import { useResetPassword } from '../../api/accountMutations';
import { ApiError } from '../../api/client';
import { friendlyMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { AuthLayout } from '../../components/AuthLayout';
import { Field } from '../../components/Field';

export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const mutation = useResetPassword();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = PasswordSchema.safeParse(password);
    if (!parsed.success) {
      setFormError(parsed.error.issues[0]?.message ?? 'Choose a longer password.');
      return;
    }
    setFormError(null);
    mutation.mutate({ token, newPassword: parsed.data });
  };

  const weak =
    mutation.error instanceof ApiError && mutation.error.code === 'WEAK_PASSWORD'
      ? mutation.error.message
      : undefined;

  return (
    <AuthLayout title="Choose a new password" subtitle="Every device will be signed out.">
      {!token ? (
        <Alert tone="error">This link is incomplete. Open it again from the email.</Alert>
      ) : mutation.isSuccess ? (
        <Alert tone="success" title="Password changed">
          Every session has been signed out. <Link to="/login">Log in</Link> with your new password.
        </Alert>
      ) : (
        <form className="form-stack" onSubmit={onSubmit} noValidate>
          <Field
            label="New password"
            type="password"
            name="newPassword"
            autoComplete="new-password"
            hint="At least 8 characters. A few uncommon words make a strong, memorable password."
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={formError ?? weak}
            required
          />
          {mutation.error && !weak ? (
            <Alert tone="error">
              {friendlyMessage(mutation.error)}{' '}
              <Link to="/forgot-password">Ask for a new link</Link>
            </Alert>
          ) : null}
          <button type="submit" className="button button-block" disabled={mutation.isPending}>
            {mutation.isPending ? 'Saving…' : 'Set new password'}
          </button>
        </form>
      )}
    </AuthLayout>
  );
}
