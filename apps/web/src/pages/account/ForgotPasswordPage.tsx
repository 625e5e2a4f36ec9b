import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ForgotPasswordRequestSchema } from '@app/shared';
import { useForgotPassword } from '../../api/accountMutations';
import { friendlyMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { AuthLayout, AuthSwitch } from '../../components/AuthLayout';
import { Field } from '../../components/Field';

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const mutation = useForgotPassword();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = ForgotPasswordRequestSchema.safeParse({ email });
    if (!parsed.success) {
      setFormError(parsed.error.issues[0]?.message ?? 'Enter your email address.');
      return;
    }
    setFormError(null);
    mutation.mutate(parsed.data.email);
  };

  return (
    <AuthLayout
      title="Forgot your password?"
      subtitle="We will email you a link to choose a new one."
    >
      {mutation.isSuccess ? (
        <Alert tone="success" title="Check your inbox">
          {mutation.data.message}
        </Alert>
      ) : (
        <form className="form-stack" onSubmit={onSubmit} noValidate>
          <Field
            label="Email"
            type="email"
            name="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={formError ?? undefined}
            required
          />
          {mutation.error ? <Alert tone="error">{friendlyMessage(mutation.error)}</Alert> : null}
          <button type="submit" className="button button-block" disabled={mutation.isPending}>
            {mutation.isPending ? 'Sending…' : 'Email me a link'}
          </button>
        </form>
      )}
      <AuthSwitch>
        Remembered it? <Link to="/login">Log in</Link>
      </AuthSwitch>
    </AuthLayout>
  );
}
