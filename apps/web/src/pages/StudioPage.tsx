import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { calculateCost, type CreditPackageDto, type GenerateVideoRequest } from '@app/shared';
import { ApiError } from '../api/client';
import { friendlyMessage } from '../api/errors';
import { useGenerateVideo } from '../api/mutations';
import { useBalance, usePackages } from '../api/queries';
import { Alert } from '../components/Alert';
import { GenerateForm } from '../components/GenerateForm';
import { PageHeader } from '../components/PageHeader';
import { readPrefill } from '../components/library/likeThis';
import { PurchaseModal } from '../components/PurchaseModal';
import { VideoStatusCard } from '../components/VideoStatusCard';
import { toPricingPackage } from '../lib/money';
import { useSubmissionKey } from '../hooks/useSubmissionKey';
import styles from './StudioPage.module.css';

export function StudioPage() {
  const [params, setParams] = useSearchParams();
  const activeVideoId = params.get('video');
  const { data: balance } = useBalance();
  const { data: packages } = usePackages();
  const bestValue = packages?.packages.find((p) => p.bestValue);
  const statusRef = useRef<HTMLDivElement>(null);
  // "Make another like this" arrives with the video's settings in the router state.
  const location = useLocation();
  const prefill = readPrefill(location.state);
  const navigate = useNavigate();
  // Read once, when the form mounts (it then saves it as the draft); a reload must not
  // bring the old settings back over later edits.
  useEffect(() => {
    if (prefill) {
      void navigate(
        { pathname: location.pathname, search: location.search },
        { replace: true, state: null },
      );
    }
  }, [prefill, navigate, location.pathname, location.search]);
  // Buying in place: the pack on offer, and the request to start once it is paid.
  const [topUp, setTopUp] = useState<{
    pack: CreditPackageDto;
    request: GenerateVideoRequest | null;
  } | null>(null);
  const [lastRequestCost, setLastRequestCost] = useState(0);

  const generate = useGenerateVideo();
  const submission = useSubmissionKey<GenerateVideoRequest>();
  // The request that started the video on screen: sending it again is a second, identical order.
  const [startedRequest, setStartedRequest] = useState<string | null>(null);
  const submit = (request: GenerateVideoRequest) => {
    // One key per intended submission: a double click or a retry of the same request sends the
    // same key (the server charges once); an edit or a success makes a new one.
    const idempotencyKey = submission.begin(request);
    if (!idempotencyKey) return;
    setLastRequestCost(calculateCost(request).total);
    generate.mutate(
      { request, idempotencyKey },
      {
        onSettled: () => submission.settle(),
        onSuccess: (res) => {
          submission.succeeded();
          setStartedRequest(JSON.stringify(request));
          // The video id lives in the URL, so a reload keeps following the same render.
          setParams({ video: res.video.id });
          requestAnimationFrame(() => statusRef.current?.scrollIntoView({ behavior: 'smooth' }));
        },
      },
    );
  };

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
      <PageHeader
        title="Studio"
        subtitle="Describe a scene, pick a length and quality, and see the exact cost before you spend."
      />

      <GenerateForm
        balance={balance}
        valuePackage={bestValue ? toPricingPackage(bestValue) : undefined}
        submitting={generate.isPending}
        startedRequest={activeVideoId ? startedRequest : null}
        onGenerate={submit}
        prefill={prefill}
        packages={packages?.packages}
        onTopUp={(pack, request) => setTopUp({ pack, request })}
        notice={
          creditsProblem && formBlocked ? (
            <p className={styles.note} role="status" data-testid="generate-error">
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

      {topUp ? (
        <PurchaseModal
          pkg={topUp.pack}
          onClose={() => setTopUp(null)}
          next={
            topUp.request
              ? { label: 'Generate video now', run: () => submit(topUp.request!) }
              : undefined
          }
        />
      ) : null}

      <div ref={statusRef} className={styles.status}>
        {activeVideoId ? (
          <VideoStatusCard
            key={activeVideoId}
            videoId={activeVideoId}
            onDismiss={() => {
              generate.reset();
              setStartedRequest(null);
              setParams({});
            }}
          />
        ) : null}
      </div>
    </div>
  );
}
