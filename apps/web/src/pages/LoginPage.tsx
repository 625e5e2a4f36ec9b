import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router-dom';
import { LoginRequestSchema, SIGNUP_BONUS_CREDITS } from '@app/shared';
import { useLogin } from '../api/accountMutations';
import { ApiError } from '../api/client';
import { friendlyMessage } from '../api/errors';
import { useAuth } from '../auth/AuthProvider';
import { safeNextPath } from '../auth/session';
import { Alert } from '../components/Alert';
import { AuthLayout, AuthSwitch } from '../components/AuthLayout';
import { Field } from '../components/Field';

export function LoginPage() {
  const { isAuthenticated } = useAuth();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const expired = params.get('expired') === '1';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [formError, setFormError] = useState<string | null>(null);

  const mutation = useLogin();

  if (isAuthenticated) return <Navigate to={next} replace />;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = LoginRequestSchema.safeParse({ email, password });
    if (!parsed.success) {
      setFormError(parsed.error.issues[0]?.message ?? 'Enter your email and password.');
      return;
    }
    setFormError(null);
    mutation.mutate(parsed.data);
  };

  const error =
    mutation.error instanceof ApiError && mutation.error.code === 'UNAUTHORIZED'
      ? 'That email and password do not match an account. Check them and try again.'
      : mutation.error
        ? friendlyMessage(mutation.error)
        : formError;

  const signupHref = `/signup${params.get('next') ? `?next=${encodeURIComponent(next)}` : ''}`;

  return (
    <AuthLayout title="Welcome back" subtitle="Log in to keep creating.">
      {expired ? (
        <Alert tone="info" title="Your session expired">
          Log in again and we will take you back to where you were. Anything you typed is kept.
        </Alert>
      ) : null}
      <form className="form-stack" onSubmit={onSubmit} noValidate>
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <p className="field-hint">
          <Link to="/forgot-password">Forgot password?</Link>
        </p>
        {error ? <Alert tone="error">{error}</Alert> : null}
        <button type="submit" className="button button-block" disabled={mutation.isPending}>
          {mutation.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <AuthSwitch>
        New here? <Link to={signupHref}>Create an account</Link> and get {SIGNUP_BONUS_CREDITS} free
        credits.
      </AuthSwitch>
    </AuthLayout>
  );
}
