import { useId, useState } from 'react';
import { TRANSACTION_TYPES, type TransactionType } from '@app/shared';
import type { TransactionFilters } from '../api/client';
import { friendlyMessage } from '../api/errors';
import { useTransactionsPage } from '../api/queries';
import { formatDateTime, localDayEndIso, localDayStartIso } from '../lib/dates';
import { formatNumber, formatSignedCredits } from '../lib/money';
import { exportTransactionsCsv } from '../lib/transactionsCsv';
import { Alert } from './Alert';
import { ErrorMessage } from './ErrorMessage';
import { Pagination } from './Pagination';
import { Spinner } from './Spinner';
import { TRANSACTION_LABELS, TransactionTypePill } from './StatusPill';

const PAGE_SIZE = 10;

interface FilterState {
  type: TransactionType | '';
  from: string; // YYYY-MM-DD from <input type="date">
  to: string;
}

const EMPTY_FILTERS: FilterState = { type: '', from: '', to: '' };

export function toApiFilters(f: FilterState): TransactionFilters {
  return {
    type: f.type || undefined,
    from: f.from ? localDayStartIso(f.from) : undefined,
    to: f.to ? localDayEndIso(f.to) : undefined,
  };
}

export function TransactionHistory() {
  const id = useId();
  const [filters, setFilters] = useState<FilterState>(EMPTY_FILTERS);
  const [page, setPage] = useState(1);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);

  const rangeInvalid = Boolean(filters.from && filters.to && filters.from > filters.to);
  const apiFilters = toApiFilters(rangeInvalid ? { ...filters, to: '' } : filters);
  const query = useTransactionsPage(apiFilters, page, PAGE_SIZE);
  const filtered = filters.type !== '' || filters.from !== '' || filters.to !== '';

  const setFilter = <K extends keyof FilterState>(key: K, value: FilterState[K]) => {
    setFilters((f) => ({ ...f, [key]: value }));
    setPage(1);
  };

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

      <div className="filters" role="group" aria-label="Filter transactions">
        <div className="field">
          <label className="field-label" htmlFor={`${id}-type`}>
            Type
          </label>
          <select
            id={`${id}-type`}
            className="input"
            value={filters.type}
            onChange={(e) => setFilter('type', e.target.value as FilterState['type'])}
          >
            <option value="">All types</option>
            {TRANSACTION_TYPES.map((t) => (
              <option key={t} value={t}>
                {TRANSACTION_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-from`}>
            From
          </label>
          <input
            id={`${id}-from`}
            className="input"
            type="date"
            value={filters.from}
            max={filters.to || undefined}
            onChange={(e) => setFilter('from', e.target.value)}
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-to`}>
            To
          </label>
          <input
            id={`${id}-to`}
            className={`input${rangeInvalid ? ' input-invalid' : ''}`}
            type="date"
            value={filters.to}
            min={filters.from || undefined}
            onChange={(e) => setFilter('to', e.target.value)}
            aria-invalid={rangeInvalid || undefined}
          />
        </div>
        {filtered ? (
          <button
            type="button"
            className="button button-ghost button-small filters-clear"
            onClick={() => {
              setFilters(EMPTY_FILTERS);
              setPage(1);
            }}
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
                    <td data-label="Description" className="cell-description">
                      {t.description}
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
