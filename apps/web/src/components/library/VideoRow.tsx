import { useState } from 'react';
import { Link } from 'react-router-dom';
import { TERMINAL_VIDEO_STATUSES, type Video } from '@app/shared';
import { useDeleteVideo } from '../../api/library';
import { friendlyMessage } from '../../api/errors';
import { formatDateTime } from '../../lib/dates';
import { formatCredits, formatNumber } from '../../lib/money';
import { VideoStatusPill } from '../StatusPill';
import { UserText } from '../UserText';
import { prefillFrom } from './likeThis';
import styles from './VideoRow.module.css';

/** One video of the library: poster, what it was, what it cost, and what can be done with it. */
export function VideoRow({ video: v }: { video: Video }) {
  const [confirming, setConfirming] = useState(false);
  const [posterFailed, setPosterFailed] = useState(false);
  const remove = useDeleteVideo(v.id);
  const finished = TERMINAL_VIDEO_STATUSES.includes(v.status);

  return (
    <li className={styles.row} data-testid="video-row">
      <Link to={`/videos/${v.id}`} className={styles.thumb} tabIndex={-1} aria-hidden="true">
        {v.posterUrl && !posterFailed ? (
          <img
            src={v.posterUrl}
            alt=""
            loading="lazy"
            width={160}
            height={90}
            onError={() => setPosterFailed(true)}
            data-testid="video-poster"
          />
        ) : (
          <span className={styles.noPoster}>{v.resolution}</span>
        )}
      </Link>
      <div className={styles.main}>
        <Link to={`/videos/${v.id}`} className={styles.title}>
          <UserText>{v.prompt}</UserText>
        </Link>
        <p className={styles.meta}>
          {formatNumber(v.durationMinutes)} min · {v.resolution} · {formatDateTime(v.createdAt)}
        </p>
        {v.status === 'failed' && v.error ? <p className={styles.error}>{v.error}</p> : null}
        <div className={styles.actions}>
          <Link to="/studio" state={prefillFrom(v)} className="text-link">
            Make another like this
          </Link>
          {finished && !confirming ? (
            <button
              type="button"
              className={styles.linkButton}
              onClick={() => setConfirming(true)}
              aria-label={`Delete video: ${v.prompt.slice(0, 60)}`}
            >
              Delete
            </button>
          ) : null}
        </div>
        {confirming ? (
          <div className={styles.confirm} role="group" aria-label="Confirm delete">
            <p>
              Delete this video? Its file is removed for good; what it cost stays in your credit
              history.
            </p>
            <div className={styles.confirmButtons}>
              <button
                type="button"
                className="button button-small button-danger-outline"
                disabled={remove.isPending}
                onClick={() => remove.mutate()}
              >
                {remove.isPending ? 'Deleting…' : 'Delete video'}
              </button>
              <button
                type="button"
                className="button button-small button-secondary"
                disabled={remove.isPending}
                onClick={() => setConfirming(false)}
                autoFocus
              >
                Keep it
              </button>
            </div>
            {remove.error ? (
              <p className="field-error" role="alert">
                {friendlyMessage(remove.error)}
              </p>
            ) : null}
          </div>
        ) : null}
      </div>
      <div className={styles.side}>
        <VideoStatusPill status={v.status} />
        <span className={styles.cost}>
          {formatCredits(v.creditsUsed)}
          {v.creditsRefunded > 0 ? (
            <span className="text-success"> · {formatCredits(v.creditsRefunded)} refunded</span>
          ) : null}
        </span>
        {v.status === 'processing' ? (
          <span className="muted">{Math.round(v.progress)}%</span>
        ) : null}
      </div>
    </li>
  );
}
