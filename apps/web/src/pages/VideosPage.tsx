import { useId, useState } from 'react';
import { Link } from 'react-router-dom';
import { VIDEO_STATUSES, type VideoStatus } from '@app/shared';
import { useVideosPage } from '../api/queries';
import { ErrorMessage } from '../components/ErrorMessage';
import { Pagination } from '../components/Pagination';
import { Spinner } from '../components/Spinner';
import { VIDEO_STATUS_LABELS, VideoStatusPill } from '../components/StatusPill';
import { formatDateTime } from '../lib/dates';
import { formatCredits, formatNumber } from '../lib/money';

const PAGE_SIZE = 12;

export function VideosPage() {
  const id = useId();
  const [status, setStatus] = useState<VideoStatus | ''>('');
  const [page, setPage] = useState(1);
  const query = useVideosPage(status || undefined, page, PAGE_SIZE);
  const data = query.data;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1 className="page-title">My videos</h1>
          <p className="page-subtitle">Everything you have generated, with what it cost.</p>
        </div>
        <Link to="/studio" className="button">
          New video
        </Link>
      </header>

      <section className="card section-card" aria-labelledby={`${id}-heading`}>
        <div className="section-header">
          <h2 id={`${id}-heading`} className="card-title">
            Video history
          </h2>
          <div className="field field-inline">
            <label className="field-label" htmlFor={`${id}-status`}>
              Status
            </label>
            <select
              id={`${id}-status`}
              className="input"
              value={status}
              onChange={(e) => {
                setStatus(e.target.value as VideoStatus | '');
                setPage(1);
              }}
            >
              <option value="">All</option>
              {VIDEO_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {VIDEO_STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
        </div>

        {query.isPending ? (
          <Spinner label="Loading videos…" />
        ) : query.error ? (
          <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
        ) : data && data.videos.length === 0 ? (
          <div className="empty">
            <p>
              {status ? 'No videos with this status.' : 'You have not generated any videos yet.'}
            </p>
            {!status ? (
              <Link to="/studio" className="button button-secondary">
                Create your first video
              </Link>
            ) : null}
          </div>
        ) : data ? (
          <>
            <ul className="video-list" data-testid="video-list">
              {data.videos.map((v) => (
                <li key={v.id} className="video-row">
                  <div className="video-row-main">
                    <Link to={`/videos/${v.id}`} className="video-row-title">
                      {v.prompt}
                    </Link>
                    <p className="video-meta">
                      {formatNumber(v.durationMinutes)} min · {v.resolution} ·{' '}
                      {formatDateTime(v.createdAt)}
                    </p>
                    {v.status === 'failed' && v.error ? (
                      <p className="video-row-error">{v.error}</p>
                    ) : null}
                  </div>
                  <div className="video-row-side">
                    <VideoStatusPill status={v.status} />
                    <span className="video-row-cost">
                      {formatCredits(v.creditsUsed)}
                      {v.creditsRefunded > 0 ? (
                        <span className="text-success">
                          {' '}
                          · {formatCredits(v.creditsRefunded)} refunded
                        </span>
                      ) : null}
                    </span>
                    {v.status === 'processing' ? (
                      <span className="muted">{Math.round(v.progress)}%</span>
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
            <Pagination
              pagination={data.pagination}
              onPageChange={setPage}
              label="Video pages"
              busy={query.isFetching}
            />
          </>
        ) : null}
      </section>
    </div>
  );
}
