import type { Video } from '@app/shared';
import { Link } from 'react-router-dom';
import { friendlyMessage } from '../api/errors';
import { useCancelVideo } from '../api/mutations';
import { isMissingVideo, useVideoProgress } from '../hooks/useVideoProgress';
import { formatDateTime } from '../lib/dates';
import { formatCredits, formatNumber } from '../lib/money';
import { Alert } from './Alert';
import { CancelVideoControl } from './CancelVideoControl';
import { ErrorMessage } from './ErrorMessage';
import { Spinner } from './Spinner';
import { VideoStatusPill } from './StatusPill';
import { VideoPlayer } from './VideoPlayer';
import { UserText } from './UserText';
import styles from './VideoStatusCard.module.css';

function VideoMeta({ video }: { video: Video }) {
  const addOns = [
    video.customMusic && 'custom music',
    video.premiumTTS && 'premium voice-over',
    video.aiEnhancement && 'AI enhancement',
  ].filter(Boolean);
  return (
    <p className={styles.videoMeta}>
      {formatNumber(video.durationMinutes)} min · {video.resolution}
      {addOns.length ? ` · ${addOns.join(', ')}` : ''} · {formatCredits(video.creditsUsed)}
      {video.creditsRefunded > 0
        ? ` (${formatCredits(video.creditsRefunded)} refunded)`
        : ''} · {formatDateTime(video.createdAt)}
    </p>
  );
}

function Progress({ video }: { video: Video }) {
  const pct = Math.round(video.progress);
  const queued = video.status === 'queued';
  return (
    <div className={styles.progressBlock}>
      <div className={styles.progressLabel}>
        <span>{queued ? 'Waiting for a render slot…' : 'Rendering…'}</span>
        {queued ? null : <span>{pct}%</span>}
      </div>
      <div
        className={styles.progressTrack}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-label="Video progress"
      >
        <div className={styles.progressFill} style={{ width: `${Math.max(pct, 2)}%` }} />
      </div>
    </div>
  );
}

/** One generation, live: progress while rendering, the player when done, the refund on failure. */
export function VideoStatusCard({
  videoId,
  onDismiss,
}: {
  videoId: string;
  onDismiss?: () => void;
}) {
  const { data: video, error, refetch } = useVideoProgress(videoId);
  const cancel = useCancelVideo(videoId);

  if (error && !video && isMissingVideo(error)) {
    return (
      <section className="card not-found" data-testid="video-not-found">
        <h2 className="card-title">Video not found</h2>
        <p className="muted">
          There is no video at this address in your account. It may have been deleted, or the link
          is incomplete.
        </p>
        <Link to="/videos" className="button">
          Back to my videos
        </Link>
      </section>
    );
  }
  if (error && !video) return <ErrorMessage error={error} onRetry={() => void refetch()} />;
  if (!video) {
    return (
      <div className="card">
        <Spinner label="Loading video…" />
      </div>
    );
  }

  const active = video.status === 'queued' || video.status === 'processing';
  const cancelable =
    video.status === 'queued' || video.status === 'processing'
      ? { ...video, status: video.status }
      : null;
  return (
    <section
      className={`card ${styles.root}`}
      aria-labelledby={`video-${video.id}-title`}
      data-testid="video-card"
      data-status={video.status}
    >
      <div className={styles.header}>
        <div>
          <h2 id={`video-${video.id}-title`} className={styles.videoTitle}>
            <UserText>{video.prompt}</UserText>
          </h2>
          <VideoMeta video={video} />
        </div>
        <VideoStatusPill status={video.status} />
      </div>

      {active ? (
        <>
          <Progress video={video} />
          <div className={styles.actions}>
            {cancelable ? (
              <CancelVideoControl
                video={cancelable}
                pending={cancel.isPending}
                onConfirm={() => cancel.mutate()}
              />
            ) : null}
            <span className="muted">You can leave this page; rendering continues.</span>
          </div>
          {cancel.error ? <Alert tone="error">{friendlyMessage(cancel.error)}</Alert> : null}
        </>
      ) : null}

      {video.status === 'completed' ? <VideoPlayer video={video} /> : null}

      {video.status === 'failed' ? (
        <Alert tone="error" title="This video could not be generated">
          {video.error ? `${video.error.replace(/[.\s]+$/, '')}. ` : ''}
          {video.creditsRefunded > 0
            ? `${formatCredits(video.creditsRefunded)} ${video.creditsRefunded === 1 ? 'was' : 'were'} refunded to your balance.`
            : 'A refund of its credits is on its way to your balance.'}
        </Alert>
      ) : null}

      {video.status === 'canceled' ? (
        <Alert tone="info" title="Generation canceled">
          {video.creditsRefunded > 0
            ? `${formatCredits(video.creditsRefunded)} ${video.creditsRefunded === 1 ? 'was' : 'were'} returned to your balance.`
            : 'It was fully rendered when canceled, so no credits came back.'}
          {video.creditsRefunded > 0 && video.creditsRefunded < video.creditsUsed
            ? ` The share rendered before the cancel (${formatCredits(video.creditsUsed - video.creditsRefunded)}) is kept.`
            : ''}
        </Alert>
      ) : null}

      {onDismiss && !active ? (
        <div className={styles.actions}>
          <button type="button" className="button button-ghost button-small" onClick={onDismiss}>
            Start another video
          </button>
        </div>
      ) : null}
    </section>
  );
}
