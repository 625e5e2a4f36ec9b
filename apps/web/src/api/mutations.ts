import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { GenerateVideoRequest } from '@app/shared';
import {
  ApiError,
  cancelVideo,
  confirmPayment,
  createPaymentIntent,
  generateVideo,
} from './client';
import { insufficientCreditsDetails } from './errors';
import { newIdempotencyKey } from '../lib/uuid';
import { invalidateAccount, queryKeys, setKnownBalance } from './queries';

/**
 * Every write the app makes, each with its cache effects in one place: a page says what to do
 * and what to show, never which queries a write makes stale.
 */

export interface GenerateVideoVariables {
  request: GenerateVideoRequest;
  /** One key per intended submission, kept across retries of that submission (the caller's call). */
  idempotencyKey: string;
}

export function useGenerateVideo() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ request, idempotencyKey }: GenerateVideoVariables) =>
      generateVideo(request, idempotencyKey),
    onSuccess: (res) => {
      setKnownBalance(queryClient, res.newBalance);
      queryClient.setQueryData(queryKeys.video(res.video.id), res.video);
      void invalidateAccount(queryClient);
    },
    onError: (error) => {
      // Our balance was stale (another tab, a clawback): take the server's number at once.
      const details = insufficientCreditsDetails(error);
      if (details) setKnownBalance(queryClient, details.balance);
      if (
        error instanceof ApiError &&
        (error.code === 'INSUFFICIENT_CREDITS' || error.code === 'ACCOUNT_OWES_CREDITS')
      ) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.balance });
      }
    },
  });
}

export function useCancelVideo(videoId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    // Mutations are not retried, so one key per call is one key per intended cancel.
    mutationFn: () => cancelVideo(videoId, newIdempotencyKey()),
    onSuccess: (res) => {
      queryClient.setQueryData(queryKeys.video(videoId), res.video);
      // The refund is a ledger entry: balance, history and the video list all move.
      void invalidateAccount(queryClient);
    },
  });
}

/** Both this call and the webhook reach the server; it credits the payment exactly once. */
export function useConfirmPayment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (paymentIntentId: string) => confirmPayment(paymentIntentId, newIdempotencyKey()),
    onSuccess: (res) => {
      if (res.payment.status === 'succeeded') setKnownBalance(queryClient, res.creditBalance);
    },
    onSettled: () => void invalidateAccount(queryClient),
  });
}

export interface CreateIntentVariables {
  packageId: number;
  /** One key per Pay click: a retried request never creates a second payment. */
  idempotencyKey: string;
}

export function useCreateIntent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ packageId, idempotencyKey }: CreateIntentVariables) =>
      createPaymentIntent(packageId, idempotencyKey),
    // A started payment is a row in the payment history, whatever happens next.
    onSettled: () => void queryClient.invalidateQueries({ queryKey: queryKeys.payments }),
  });
}

/** A card step failed at Stripe: the payment row's status changed without a call of ours. */
export function useRefreshPayments() {
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: queryKeys.payments });
}
