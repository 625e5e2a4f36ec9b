import { useId, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { VIDEO_SEARCH_MAX_CHARS, VIDEO_STATUSES, type VideoStatus } from '@app/shared';
import { useVideoLibrary } from '../api/library';
import { Field, SelectField } from '../components/Field';
import { VideoRow } from '../components/library/VideoRow';
import styles from './VideosPage.module.css';
import { PageHeader } from '../components/PageHeader';
import { Pagination } from '../components/Pagination';
import { QueryState } from '../components/QueryState';
import { VIDEO_STATUS_LABELS } from '../components/StatusPill';

const PAGE_SIZE = 12;

export function VideosPage() {
  const id = useId();
  // Status, search and page live in the URL: reload, Back and a shared link keep them.
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status') ?? '';
  const status = (VIDEO_STATUSES as readonly string[]).includes(statusParam)
    ? (statusParam as VideoStatus)
    : '';
  const q = (params.get('q') ?? '').slice(0, VIDEO_SEARCH_MAX_CHARS);
  const pageParam = Number(params.get('page'));
  const page = Number.isInteger(pageParam) && pageParam > 1 ? pageParam : 1;
  const [search, setSearch] = useState(q);
  const query = useVideoLibrary(
    { status: status || undefined, q: q || undefined },
    page,
    PAGE_SIZE,
  );
  const navigateTo = (next: { status?: string; q?: string; page?: number }) => {
    const out = new URLSearchParams();
    const merged = { status, q, page: 1, ...next };
    if (merged.status) out.set('status', merged.status);
    if (merged.q) out.set('q', merged.q);
    if (merged.page > 1) out.set('page', String(merged.page));
    setParams(out);
  };
  const setPage = (p: number) => navigateTo({ page: p });
  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    navigateTo({ q: search.trim() });
  };

  return (
    <div className="page">
      <PageHeader
        title="My videos"
        subtitle="Everything you have generated, with what it cost."
        actions={
          <Link to="/studio" className="button">
            New video
          </Link>
        }
      />

      <section className="card section-card" aria-labelledby={`${id}-heading`}>
        <div className="section-header">
          <h2 id={`${id}-heading`} className="card-title">
            Video history
          </h2>
          <SelectField
            label="Status"
            className="field-inline"
            value={status}
            onChange={(e) => navigateTo({ status: e.target.value })}
          >
            <option value="">All</option>
            {VIDEO_STATUSES.map((s) => (
              <option key={s} value={s}>
                {VIDEO_STATUS_LABELS[s]}
              </option>
            ))}
          </SelectField>
        </div>
        <form role="search" className={styles.search} onSubmit={onSearch}>
          <Field
            label="Search prompts"
            type="search"
            value={search}
            maxLength={VIDEO_SEARCH_MAX_CHARS}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="e.g. lighthouse storm"
          />
          <button type="submit" className="button button-secondary">
            Search
          </button>
          {q ? (
            <button
              type="button"
              className="button button-ghost"
              onClick={() => {
                setSearch('');
                navigateTo({ q: '' });
              }}
            >
              Clear
            </button>
          ) : null}
        </form>

        <QueryState
          query={query}
          pendingLabel="Loading videos…"
          isEmpty={(d) => d.videos.length === 0}
          empty={
            <>
              <p>
                {q
                  ? `No videos match “${q}”.`
                  : status
                    ? 'No videos with this status.'
                    : 'You have not generated any videos yet.'}
              </p>
              {!status && !q ? (
                <Link to="/studio" className="button button-secondary">
                  Create your first video
                </Link>
              ) : null}
            </>
          }
        >
          {(data) => (
            <>
              <ul className={styles.videoList} data-testid="video-list">
                {data.videos.map((v) => (
                  <VideoRow key={v.id} video={v} />
                ))}
              </ul>
              <Pagination
                pagination={data.pagination}
                onPageChange={setPage}
                label="Video pages"
                busy={query.isFetching}
              />
            </>
          )}
        </QueryState>
      </section>
    </div>
  );
}
