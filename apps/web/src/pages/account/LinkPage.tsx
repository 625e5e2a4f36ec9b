import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import type { UseMutationResult } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { friendlyMessage } from '../../api/errors';
import { useAuth } from '../../auth/AuthProvider';
import { Alert } from '../../components/Alert';
import { AuthLayout, AuthSwitch } from '../../components/AuthLayout';
import { Spinner } from '../../components/Spinner';

/**
 * A page a mailed link opens: it sends the link's token once and says how it went. The token
 * alone names the account; whoever is signed in in this browser stays signed in as themselves.
 */
export function LinkPage<T>({
  title,
  working,
  mutation,
  success,
}: {
  title: string;
  working: string;
  /** The link's write, from api/accountMutations (which owns its cache effects). */
  mutation: UseMutationResult<T, Error, string>;
  success: (result: T) => ReactNode;
}) {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { isAuthenticated } = useAuth();
  const sent = useRef(false);
  useEffect(() => {
    // Once per page: React's development double-run must not spend a single-use token twice.
    if (sent.current || !token) return;
    sent.current = true;
    mutation.mutate(token);
  }, [mutation, token]);

  const next = isAuthenticated ? (
    <Link to="/studio">Continue to the studio</Link>
  ) : (
    <Link to="/login">Log in</Link>
  );
  return (
    <AuthLayout title={title} subtitle="">
      {!token ? (
        <Alert tone="error">This link is incomplete. Open it again from the email.</Alert>
      ) : mutation.isError ? (
        <Alert tone="error">{friendlyMessage(mutation.error)}</Alert>
      ) : mutation.isSuccess ? (
        <Alert tone="success">{success(mutation.data)}</Alert>
      ) : (
        <Spinner label={working} />
      )}
      <AuthSwitch>{next}</AuthSwitch>
    </AuthLayout>
  );
}
