import { useRef, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { calculateCost, type GenerateVideoRequest } from '@app/shared';
import { ApiError, generateVideo } from '../api/client';
import { friendlyMessage, insufficientCreditsDetails } from '../api/errors';
import {
  invalidateAccount,
  queryKeys,
  setKnownBalance,
  useBalance,
  usePackages,
} from '../api/queries';
import { Alert } from '../components/Alert';
import { GenerateForm } from '../components/GenerateForm';
import { VideoStatusCard } from '../components/VideoStatusCard';
import { toPricingPackage } from '../lib/money';
import { newIdempotencyKey } from '../lib/uuid';

export function StudioPage() {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const activeVideoId = params.get('video');
  const { data: balance } = useBalance();
  const { data: packages } = usePackages();
  const bestValue = packages?.packages.find((p) => p.bestValue);
  const statusRef = useRef<HTMLDivElement>(null);
  const [lastRequestCost, setLastRequestCost] = useState(0);

  const generate = useMutation({
    // A fresh key per click: a retried network request is deduplicated by the server, while a
    // deliberate second click is a second video.
    mutationFn: (request: GenerateVideoRequest) => {
      setLastRequestCost(calculateCost(request).total);
      return generateVideo(request, newIdempotencyKey());
    },
    onSuccess: (res) => {
      setKnownBalance(queryClient, res.newBalance);
      queryClient.setQueryData(queryKeys.video(res.video.id), res.video);
      void invalidateAccount(queryClient);
      // The video id lives in the URL, so a reload keeps following the same render.
      setParams({ video: res.video.id });
      requestAnimationFrame(() => statusRef.current?.scrollIntoView({ behavior: 'smooth' }));
    },
    onError: (error) => {
      // Our balance was stale (another tab, a clawback). Take the server's number at once so
      // the form explains the problem exactly as it does when the shortfall is known up front.
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

  const generateError = generate.error;
  const creditsProblem =
    generateError instanceof ApiError &&
    (generateError.code === 'INSUFFICIENT_CREDITS' ||
      generateError.code === 'ACCOUNT_OWES_CREDITS');
  // Once the refreshed balance blocks the form, its own reason (with the purchase link) says it.
  const formBlocked =
    balance !== undefined && (balance.owesCredits || balance.creditBalance < lastRequestCost);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1 className="page-title">Studio</h1>
          <p className="page-subtitle">
            Describe a scene, pick a length and quality, and see the exact cost before you spend.
          </p>
        </div>
      </header>

      <GenerateForm
        balance={balance}
        valuePackage={bestValue ? toPricingPackage(bestValue) : undefined}
        submitting={generate.isPending}
        onGenerate={(request) => generate.mutate(request)}
        notice={
          creditsProblem && formBlocked ? (
            <p className="generate-note" role="status" data-testid="generate-error">
              Your balance changed since this page loaded (another tab or device), so the video was
              not started and nothing was charged.
            </p>
          ) : generateError ? (
            <Alert
              tone="error"
              title={creditsProblem ? 'Not enough credits' : 'Could not start the video'}
              action={
                creditsProblem ? (
                  <Link className="button button-small" to="/credits">
                    Buy credits
                  </Link>
                ) : undefined
              }
            >
              <span data-testid="generate-error">{friendlyMessage(generateError)}</span>
            </Alert>
          ) : null
        }
      />

      <div ref={statusRef} className="studio-status">
        {activeVideoId ? (
          <VideoStatusCard
            key={activeVideoId}
            videoId={activeVideoId}
            onDismiss={() => {
              generate.reset();
              setParams({});
            }}
          />
        ) : null}
      </div>
    </div>
  );
}
