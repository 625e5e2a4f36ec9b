import { useState } from 'react';
import type { ChangeEvent, FormEvent } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router-dom';
import {
  EMAIL_MAX_CHARS,
  NAME_MAX_CHARS,
  PASSWORD_MIN_CHARS,
  SIGNUP_BONUS_CREDITS,
  SignupRequestSchema,
  calculateCost,
} from '@app/shared';
import { useSignup } from '../api/accountMutations';
import { ApiError } from '../api/client';
import { fieldErrors, friendlyMessage } from '../api/errors';
import { useAuth } from '../auth/AuthProvider';
import { safeNextPath } from '../auth/session';
import { Alert } from '../components/Alert';
import { AuthLayout, AuthSwitch } from '../components/AuthLayout';
import { Field } from '../components/Field';

type FieldName = 'name' | 'email' | 'password';

const FREE_VIDEOS = Math.floor(
  SIGNUP_BONUS_CREDITS / calculateCost({ durationMinutes: 1, resolution: '720p' }).total,
);

export function SignupPage() {
  const { isAuthenticated } = useAuth();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const [values, setValues] = useState<Record<FieldName, string>>({
    name: '',
    email: '',
    password: '',
  });
  const [clientErrors, setClientErrors] = useState<Partial<Record<FieldName, string>>>({});

  const mutation = useSignup();

  if (isAuthenticated) return <Navigate to={next} replace />;

  const serverFieldErrors = fieldErrors(mutation.error);
  const errorFor = (name: FieldName) => clientErrors[name] ?? serverFieldErrors[name];
  const set = (name: FieldName) => (e: ChangeEvent<HTMLInputElement>) => {
    setValues((v) => ({ ...v, [name]: e.target.value }));
    setClientErrors((errs) => ({ ...errs, [name]: undefined }));
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = SignupRequestSchema.safeParse(values);
    if (!parsed.success) {
      const errs: Partial<Record<FieldName, string>> = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path[0] as FieldName;
        errs[key] ??= issue.message;
      }
      setClientErrors(errs);
      return;
    }
    setClientErrors({});
    mutation.mutate(parsed.data);
  };

  const emailTaken = mutation.error instanceof ApiError && mutation.error.code === 'EMAIL_TAKEN';
  const generalError =
    mutation.error && !emailTaken && Object.keys(serverFieldErrors).length === 0
      ? friendlyMessage(mutation.error)
      : null;

  return (
    <AuthLayout
      title="Create your account"
      subtitle={`Start with ${SIGNUP_BONUS_CREDITS} free credits, enough for ${FREE_VIDEOS} one-minute 720p videos.`}
    >
      <form className="form-stack" onSubmit={onSubmit} noValidate>
        <Field
          label="Name"
          name="name"
          autoComplete="name"
          maxLength={NAME_MAX_CHARS}
          value={values.name}
          onChange={set('name')}
          error={errorFor('name')}
          required
        />
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          maxLength={EMAIL_MAX_CHARS}
          value={values.email}
          onChange={set('email')}
          error={errorFor('email')}
          required
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          hint={`At least ${PASSWORD_MIN_CHARS} characters.`}
          value={values.password}
          onChange={set('password')}
          error={errorFor('password')}
          required
        />
        {emailTaken ? (
          <Alert tone="error">
            An account with this email already exists.{' '}
            <Link to={`/login?next=${encodeURIComponent(next)}`}>Log in instead</Link>.
          </Alert>
        ) : null}
        {generalError ? <Alert tone="error">{generalError}</Alert> : null}
        <button type="submit" className="button button-block" disabled={mutation.isPending}>
          {mutation.isPending ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <AuthSwitch>
        Already have an account? <Link to={`/login?next=${encodeURIComponent(next)}`}>Log in</Link>
      </AuthSwitch>
    </AuthLayout>
  );
}
