import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { AUDIT_ACTIONS, REASON_CODES, type AuditAction, type ReasonCode } from '@app/shared';
import { ErrorMessage } from '../components/ErrorMessage';
import { Spinner } from '../components/Spinner';
import { formatDateTime } from '../lib/dates';
import { formatNumber, formatSignedCredits } from '../lib/money';
import { adminKeys, getAudit, FRESH } from './api';
import styles from './admin.module.css';
import { TableScroll } from './TableScroll';

interface Filters {
  action?: AuditAction;
  reason?: ReasonCode;
  targetUserId?: string;
  actorId?: string;
  from?: string;
  to?: string;
}

/** The append-only log of every console action, newest first, with filters. */
export function AuditPage() {
  const [filters, setFilters] = useState<Filters>({});
  const [draft, setDraft] = useState<Filters>({});
  const query = useInfiniteQuery({
    queryKey: [...adminKeys.all, 'audit', filters],
    ...FRESH,
    queryFn: ({ pageParam }) => getAudit({ ...filters, before: pageParam, limit: 50 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });

  function apply(event: FormEvent) {
    event.preventDefault();
    const clean = Object.fromEntries(Object.entries(draft).filter(([, v]) => v)) as Filters;
    setFilters(clean);
  }

  const field = (key: keyof Filters) => ({
    value: draft[key] ?? '',
    onChange: (e: { target: { value: string } }) =>
      setDraft((d) => ({ ...d, [key]: e.target.value || undefined })),
  });

  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title" className="card-title">
        Audit log
      </h2>
      <form className={styles.filters} onSubmit={apply} aria-label="Audit filters">
        <label className="field">
          <span className="field-label">Action</span>
          <select className="input" name="action" {...field('action')}>
            <option value="">any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Reason</span>
          <select className="input" name="reason" {...field('reason')}>
            <option value="">any</option>
            {REASON_CODES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Customer id</span>
          <input className="input" name="targetUserId" {...field('targetUserId')} />
        </label>
        <label className="field">
          <span className="field-label">Staff id</span>
          <input className="input" name="actorId" {...field('actorId')} />
        </label>
        <label className="field">
          <span className="field-label">From</span>
          <input className="input" type="date" name="from" {...field('from')} />
        </label>
        <label className="field">
          <span className="field-label">To</span>
          <input className="input" type="date" name="to" {...field('to')} />
        </label>
        <button type="submit" className="button">
          Filter
        </button>
      </form>
      {query.isPending ? (
        <Spinner />
      ) : query.isError ? (
        <ErrorMessage error={query.error} />
      ) : (
        <>
          <TableScroll label="Audit log">
            <table className="table" data-testid="audit-log">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Staff</th>
                  <th>Action</th>
                  <th>Target</th>
                  <th>Reason / note</th>
                  <th className="num">Amount</th>
                  <th className="num">Balance</th>
                  <th>Request</th>
                </tr>
              </thead>
              <tbody>
                {query.data.pages.flatMap((p) =>
                  p.entries.map((e) => (
                    <tr key={e.id}>
                      <td>{formatDateTime(e.createdAt)}</td>
                      <td>
                        {e.actorEmail ?? e.actorRole} <span className="muted">({e.actorRole})</span>
                      </td>
                      <td>{e.action}</td>
                      <td>
                        {e.targetType} <code>{e.targetId.slice(0, 8)}</code>
                      </td>
                      <td className={styles.details}>
                        {e.reason ? `${e.reason}: ` : ''}
                        {e.note}
                      </td>
                      <td className="num">
                        {e.amount === null
                          ? ''
                          : e.targetType === 'payment'
                            ? `${formatNumber(e.amount)} ¢`
                            : formatSignedCredits(e.amount)}
                      </td>
                      <td className="num">
                        {e.balanceBefore === null
                          ? ''
                          : `${formatNumber(e.balanceBefore)} → ${formatNumber(e.balanceAfter ?? 0)}`}
                      </td>
                      <td>
                        <code>{e.requestId?.slice(0, 8)}</code>
                      </td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </TableScroll>
          {query.hasNextPage ? (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => void query.fetchNextPage()}
              disabled={query.isFetchingNextPage}
            >
              Older entries
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}
