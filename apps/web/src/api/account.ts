import {
  ChangeEmailResponseSchema,
  ConfirmEmailChangeResponseSchema,
  MailQueuedResponseSchema,
  NotificationSettingsResponseSchema,
  ReceiptResponseSchema,
  VerifyEmailResponseSchema,
  type ChangeEmailRequest,
  type DeleteAccountRequest,
  type NotificationSettings,
  type ResetPasswordRequest,
} from '@app/shared';
import { request, send } from './client';

/** The account layer: mailed links, email change, mail preferences, deletion, receipts. */

// The link's token names the account: these are public and never send the session token.
export const verifyEmail = (token: string) =>
  request('/api/auth/verify-email', VerifyEmailResponseSchema, {
    method: 'POST',
    body: { token },
    auth: false,
  });

export const resendVerification = () =>
  request('/api/auth/resend-verification', MailQueuedResponseSchema, { method: 'POST' });

export const forgotPassword = (email: string) =>
  request('/api/auth/forgot-password', MailQueuedResponseSchema, {
    method: 'POST',
    body: { email },
    auth: false,
  });

export async function resetPassword(body: ResetPasswordRequest): Promise<void> {
  await send('/api/auth/reset-password', { method: 'POST', body, auth: false });
}

export const changeEmail = (body: ChangeEmailRequest) =>
  request('/api/account/change-email', ChangeEmailResponseSchema, { method: 'POST', body });

export const confirmEmailChange = (token: string) =>
  request('/api/account/confirm-email-change', ConfirmEmailChangeResponseSchema, {
    method: 'POST',
    body: { token },
    auth: false,
  });

export const getNotifications = () =>
  request('/api/account/notifications', NotificationSettingsResponseSchema);

export const setNotifications = (body: NotificationSettings) =>
  request('/api/account/notifications', NotificationSettingsResponseSchema, {
    method: 'PUT',
    body,
  });

export async function deleteAccount(body: DeleteAccountRequest): Promise<void> {
  await send('/api/account/delete', { method: 'POST', body });
}

export const getReceipt = (paymentId: string) =>
  request(`/api/payments/${encodeURIComponent(paymentId)}/receipt`, ReceiptResponseSchema);
