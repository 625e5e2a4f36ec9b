import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import type { AuthResponse, User } from '@app/shared';
import { getMe, logout, logoutEverywhere } from '../api/client';
import { clearDrafts } from '../lib/draft';
import { queryKeys } from '../api/queries';
import {
  clearSession,
  isExpired,
  notifySessionExpired,
  onSessionExpired,
  readSession,
  writeSession,
  type StoredSession,
} from './session';

interface AuthContextValue {
  isAuthenticated: boolean;
  /** True after a 401 or a token past its expiry, until the next sign-in. */
  sessionExpired: boolean;
  user: User | undefined;
  signIn: (response: AuthResponse) => void;
  /** Revokes the token on the server, then forgets it here (even if the server call fails). */
  signOut: () => Promise<void>;
  /** Revokes every session of the account; forgets the token here only if that worked. */
  signOutEverywhere: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

const SIGN_OUT_TIMEOUT_MS = 5000;

interface SessionState {
  session: StoredSession | null;
  expired: boolean;
}

function initialState(): SessionState {
  const session = readSession();
  if (session && isExpired(session)) {
    clearSession();
    return { session: null, expired: true };
  }
  return { session, expired: false };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [{ session, expired }, setState] = useState<SessionState>(initialState);

  const me = useQuery({
    queryKey: queryKeys.me,
    queryFn: getMe,
    enabled: session !== null,
    staleTime: 60_000,
  });

  const signIn = useCallback(
    (response: AuthResponse) => {
      // A different person may sign in on the same tab: never show them cached data.
      queryClient.clear();
      const next = { token: response.token, expiresAt: response.expiresAt };
      writeSession(next);
      queryClient.setQueryData(queryKeys.me, { user: response.user });
      setState({ session: next, expired: false });
    },
    [queryClient],
  );

  const forget = useCallback(() => {
    clearDrafts();
    clearSession();
    setState({ session: null, expired: false });
    queryClient.clear();
    navigate('/login', { replace: true });
  }, [navigate, queryClient]);

  const signOut = useCallback(async () => {
    try {
      // Bounded: an unreachable server must not keep someone from leaving.
      await logout(AbortSignal.timeout(SIGN_OUT_TIMEOUT_MS));
    } catch {
      // The token is forgotten below either way; it then expires on its own.
    }
    forget();
  }, [forget]);

  const signOutEverywhere = useCallback(async () => {
    await logoutEverywhere();
    forget();
  }, [forget]);

  // Any 401 on an authenticated request lands here. Dropping the session makes RequireAuth
  // redirect to the login page with the current location as `next`; form drafts live in
  // sessionStorage, so nothing typed is lost on the way.
  useEffect(
    () =>
      onSessionExpired(() => {
        if (!readSession()) return; // several requests can fail together; act once
        clearSession();
        setState({ session: null, expired: true });
        queryClient.clear();
      }),
    [queryClient],
  );

  // The token's expiry is known: leave when it passes instead of waiting for a failed request.
  useEffect(() => {
    if (!session) return;
    const ms = Date.parse(session.expiresAt) - Date.now();
    if (!Number.isFinite(ms) || ms > 2 ** 31 - 1) return;
    const timer = window.setTimeout(notifySessionExpired, Math.max(ms, 0));
    return () => window.clearTimeout(timer);
  }, [session]);

  const value = useMemo<AuthContextValue>(
    () => ({
      isAuthenticated: session !== null,
      sessionExpired: expired,
      user: me.data?.user,
      signIn,
      signOut,
      signOutEverywhere,
    }),
    [session, expired, me.data, signIn, signOut, signOutEverywhere],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}
