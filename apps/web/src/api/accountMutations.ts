import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { NotificationSettings } from '@app/shared';
import { changePassword, login, signup } from './client';
import {
  changeEmail,
  confirmEmailChange,
  deleteAccount,
  forgotPassword,
  resendVerification,
  resetPassword,
  setNotifications,
  verifyEmail,
} from './account';
import { queryKeys } from './queries';
import { useAuth } from '../auth/AuthProvider';
import { clearSession, notifySessionExpired, readSession } from '../auth/session';
import { rememberBonusWithheld } from '../components/account/bonusNotice';

/**
 * The account's writes (sign-in, sign-up, passwords, mailed links, settings), each owning what
 * it does to the session and the cache, as the money writes in mutations.ts do.
 */

export const accountKeys = {
  notifications: ['account', 'notifications'] as const,
};

export function useLogin() {
  const { signIn } = useAuth();
  return useMutation({ mutationFn: login, onSuccess: signIn });
}

export function useSignup() {
  const { signIn } = useAuth();
  return useMutation({
    mutationFn: signup,
    onSuccess: (response) => {
      // Shown by the banner on the next page: the account works, only the bonus is withheld.
      if (!response.signupBonus.granted) rememberBonusWithheld();
      signIn(response);
    },
  });
}

export function useChangePassword() {
  const { signIn } = useAuth();
  return useMutation({
    mutationFn: changePassword,
    // The server revoked every session, this one included: keep going with the fresh token.
    onSuccess: signIn,
  });
}

export function useSignOutEverywhere() {
  const { signOutEverywhere } = useAuth();
  return useMutation({ mutationFn: signOutEverywhere });
}

export function useForgotPassword() {
  return useMutation({ mutationFn: forgotPassword });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: resetPassword,
    onSuccess: () => {
      // Every session was signed out on the server, this browser's too: forget it here.
      if (readSession()) notifySessionExpired();
    },
  });
}

/** A mailed link changed the account: if its owner is signed in here, show it at once. */
function useMailedLink<T>(send: (token: string) => Promise<T>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.me }),
  });
}

export const useVerifyEmail = () => useMailedLink(verifyEmail);
export const useConfirmEmailChange = () => useMailedLink(confirmEmailChange);

export function useResendVerification() {
  return useMutation({ mutationFn: resendVerification });
}

export function useChangeEmail() {
  return useMutation({ mutationFn: changeEmail });
}

export function useSetNotifications() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (settings: NotificationSettings) => setNotifications(settings),
    onSuccess: (data) => queryClient.setQueryData(accountKeys.notifications, data),
  });
}

export function useDeleteAccount() {
  return useMutation({
    mutationFn: deleteAccount,
    onSuccess: () => {
      // The account is gone: start the app from scratch, nothing of it cached.
      clearSession();
      window.location.assign('/signup');
    },
  });
}
