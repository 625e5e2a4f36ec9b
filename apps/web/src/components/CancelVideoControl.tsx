import { useState } from 'react';
import { cancelRefundCredits, type Video } from '@app/shared';
import { formatNumber } from '../lib/money';
import styles from './CancelVideoControl.module.css';

/** The cancel policy, word for word the rule the server applies (`cancelRefundCredits`). */
export const CANCEL_POLICY =
  'Canceling a video that is still waiting returns all of its credits. Canceling while it ' +
  'renders returns the share not rendered yet, rounded up in your favour. A video that fails ' +
  'or times out is always refunded in full.';

/**
 * Cancel with the price shown first: the button opens a confirmation that says how many
 * credits come back at the current progress, computed with the same function as the server.
 */
export function CancelVideoControl({
  video,
  pending,
  onConfirm,
}: {
  video: Video & { status: 'queued' | 'processing' };
  pending: boolean;
  onConfirm: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const back = cancelRefundCredits(video);
  const of = video.creditsUsed;

  if (!confirming) {
    return (
      <button
        type="button"
        className="button button-secondary button-small"
        onClick={() => setConfirming(true)}
        disabled={pending}
      >
        {pending ? 'Canceling…' : 'Cancel'}
      </button>
    );
  }
  return (
    <div
      className={styles.cancelConfirm}
      role="group"
      aria-labelledby={`cancel-${video.id}-title`}
      data-testid="cancel-confirm"
    >
      <p id={`cancel-${video.id}-title`}>
        <strong>
          Cancel now: {formatNumber(back)} of {formatNumber(of)} credits come back.
        </strong>{' '}
        {video.status === 'queued'
          ? 'It has not started rendering, so you get everything back.'
          : `It is ${formatNumber(Math.floor(video.progress))}% rendered; the rendered share is kept.`}
      </p>
      <p className="muted" data-testid="cancel-policy">
        {CANCEL_POLICY}
      </p>
      <div className={styles.actions}>
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={() => {
            setConfirming(false);
            onConfirm();
          }}
          disabled={pending}
        >
          Yes, cancel video
        </button>
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => setConfirming(false)}
        >
          Keep it
        </button>
      </div>
    </div>
  );
}
