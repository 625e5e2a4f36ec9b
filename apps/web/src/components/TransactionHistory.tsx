import { useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { TRANSACTION_TYPES, type Transaction, type TransactionType } from '@app/shared';
import type { TransactionFilters } from '../api/client';
import { friendlyMessage } from '../api/errors';
import { useTransactionsPage } from '../api/queries';
import { formatDateTime, localDayEndIso, localDayStartIso } from '../lib/dates';
import { formatNumber, formatSignedCredits } from '../lib/money';
import { exportTransactionsCsv } from '../lib/transactionsCsv';
import { Alert } from './Alert';
import { ErrorMessage } from './ErrorMessage';
import { Field, SelectField } from './Field';
import { Pagination } from './Pagination';
import { Spinner } from './Spinner';
import { UserText } from './UserText';
import { TRANSACTION_LABELS, TransactionTypePill } from './StatusPill';
import styles from './TransactionHistory.module.css';

const PAGE_SIZE = 10;

interface FilterState {
  type: TransactionType | '';
  from: string; // YYYY-MM-DD from <input type="date">
  to: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Filters and page live in the URL (`?type=usage&from=2026-01-01&to=…&page=2`), so a reload,
 * the back button and a shared link all show the same list. Anything malformed is ignored.
 */
export function readFilterParams(params: URLSearchParams): FilterState & { page: number } {
  const type = params.get('type') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const page = Number(params.get('page'));
  return {
    type: (TRANSACTION_TYPES as readonly string[]).includes(type) ? (type as TransactionType) : '',
    from: DAY.test(from) ? from : '',
    to: DAY.test(to) ? to : '',
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

function writeFilterParams(
  params: URLSearchParams,
  next: FilterState & { page: number },
): URLSearchParams {
  const out = new URLSearchParams(params);
  for (const key of ['type', 'from', 'to', 'page'] as const) out.delete(key);
  if (next.type) out.set('type', next.type);
  if (next.from) out.set('from', next.from);
  if (next.to) out.set('to', next.to);
  if (next.page > 1) out.set('page', String(next.page));
  return out;
}

const truncate = (s: string, max: number) =>
  [...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s;

/** Where a ledger row came from: its video (by prompt, so a refund says which), or the payment. */
function TransactionSource({ t }: { t: Transaction }) {
  if (t.referenceType === 'video' && t.referenceId) {
    if (t.videoPrompt === null) return <span className="muted"> · video deleted</span>;
    return (
      <>
        {' · '}
        <Link to={`/videos/${encodeURIComponent(t.referenceId)}`} className="text-link">
          {t.videoPrompt ? (
            <>
              “<UserText>{truncate(t.videoPrompt, 60)}</UserText>”
            </>
          ) : (
            'View video'
          )}
        </Link>
      </>
    );
  }
  if (t.referenceType === 'payment' && t.referenceId) {
    return (
      <>
        {' · '}
        <Link to={`/receipts/${encodeURIComponent(t.referenceId)}`} className="text-link">
          View payment
        </Link>
      </>
    );
  }
  return null;
}

export function toApiFilters(f: FilterState): TransactionFilters {
  return {
    type: f.type || undefined,
    from: f.from ? localDayStartIso(f.from) : undefined,
    to: f.to ? localDayEndIso(f.to) : undefined,
  };
}

export function TransactionHistory() {
  const id = useId();
  const [params, setParams] = useSearchParams();
  const { page, ...filters } = readFilterParams(params);
  // Each change is a history entry of its own, so Back undoes it.
  const navigateTo = (next: FilterState & { page: number }) =>
    setParams(writeFilterParams(params, next));
  const setPage = (p: number) => navigateTo({ ...filters, page: p });
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);

  const rangeInvalid = Boolean(filters.from && filters.to && filters.from > filters.to);
  const apiFilters = toApiFilters(rangeInvalid ? { ...filters, to: '' } : filters);
  const query = useTransactionsPage(apiFilters, page, PAGE_SIZE);
  const filtered = filters.type !== '' || filters.from !== '' || filters.to !== '';

  const setFilter = <K extends keyof FilterState>(key: K, value: FilterState[K]) =>
    navigateTo({ ...filters, [key]: value, page: 1 });

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      // The whole filtered history, not just the page on screen, streamed by the server.
      await exportTransactionsCsv(apiFilters);
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(false);
    }
  };

  const data = query.data;
  return (
    <section className="card section-card" aria-labelledby={`${id}-heading`}>
      <div className="section-header">
        <h2 id={`${id}-heading`} className="card-title">
          Transactions
        </h2>
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={() => void exportCsv()}
          disabled={exporting || !data || data.pagination.total === 0}
        >
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
      </div>

      <div className={styles.filters} role="group" aria-label="Filter transactions">
        <SelectField
          label="Type"
          value={filters.type}
          onChange={(e) => setFilter('type', e.target.value as FilterState['type'])}
        >
          <option value="">All types</option>
          {TRANSACTION_TYPES.map((t) => (
            <option key={t} value={t}>
              {TRANSACTION_LABELS[t]}
            </option>
          ))}
        </SelectField>
        <Field
          label="From"
          type="date"
          value={filters.from}
          max={filters.to || undefined}
          onChange={(e) => setFilter('from', e.target.value)}
        />
        <Field
          label="To"
          type="date"
          value={filters.to}
          min={filters.from || undefined}
          onChange={(e) => setFilter('to', e.target.value)}
          inputClassName={rangeInvalid ? 'input-invalid' : undefined}
          aria-invalid={rangeInvalid || undefined}
        />
        {filtered ? (
          <button
            type="button"
            className={`button button-ghost button-small ${styles.filtersClear}`}
            onClick={() => navigateTo({ type: '', from: '', to: '', page: 1 })}
          >
            Clear filters
          </button>
        ) : null}
      </div>
      {rangeInvalid ? (
        <p className="field-error">The end date is before the start date; it is ignored.</p>
      ) : null}
      {exportError ? (
        <Alert tone="error" title="Export failed">
          {friendlyMessage(exportError)}
        </Alert>
      ) : null}

      {query.isPending ? (
        <Spinner label="Loading transactions…" />
      ) : query.error ? (
        <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
      ) : data && data.transactions.length === 0 ? (
        <p className="empty">
          {filtered ? 'No transactions match these filters.' : 'No transactions yet.'}
        </p>
      ) : data ? (
        <>
          <div className={`table-wrap${query.isPlaceholderData ? ' is-stale' : ''}`}>
            <table className="table responsive-table" data-testid="transactions-table">
              <caption className="visually-hidden">Credit transactions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Type</th>
                  <th scope="col">Description</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col" className="num">
                    Balance
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.transactions.map((t) => (
                  <tr key={t.id}>
                    <td data-label="Date">{formatDateTime(t.createdAt)}</td>
                    <td data-label="Type">
                      <TransactionTypePill type={t.type} />
                    </td>
                    <td data-label="Description" className={styles.cellDescription}>
                      {t.description}
                      <TransactionSource t={t} />
                    </td>
                    <td
                      data-label="Amount"
                      className={`num ${t.amount >= 0 ? 'text-success' : 'text-danger'}`}
                    >
                      {formatSignedCredits(t.amount)}
                    </td>
                    <td data-label="Balance" className="num">
                      {formatNumber(t.balanceAfter)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            pagination={data.pagination}
            onPageChange={setPage}
            label="Transaction pages"
            busy={query.isFetching}
          />
        </>
      ) : null}
    </section>
  );
}
