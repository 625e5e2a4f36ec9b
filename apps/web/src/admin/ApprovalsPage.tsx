import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { AdminMeResponse, Approval, ApprovalStatus } from '@app/shared';
import { Alert } from '../components/Alert';
import { ErrorMessage } from '../components/ErrorMessage';
import { Modal } from '../components/Modal';
import { Spinner } from '../components/Spinner';
import { formatDateTime } from '../lib/dates';
import { formatCents, formatNumber } from '../lib/money';
import { adminKeys, getApprovals, FRESH, useDecideApproval } from './api';
import styles from './admin.module.css';
import { TableScroll } from './TableScroll';

const amountOf = (a: Approval) =>
  a.action === 'refund_payment' ? formatCents(a.amount) : `${formatNumber(a.amount)} credits`;

/** Four eyes: money actions above the threshold wait here for a second admin. */
export function ApprovalsPage({ staff }: { staff: AdminMeResponse }) {
  const [status, setStatus] = useState<ApprovalStatus | ''>('pending');
  const [deciding, setDeciding] = useState<{ approval: Approval; approve: boolean } | null>(null);
  const [note, setNote] = useState('');
  const decision = useDecideApproval();
  const [notice, setNotice] = useState<string | null>(null);
  const query = useQuery({
    queryKey: [...adminKeys.all, 'approvals', status],
    ...FRESH,
    queryFn: () => getApprovals(status || undefined),
  });

  // A closed dialog's error must not greet the next one.
  const close = () => {
    setDeciding(null);
    decision.reset();
  };

  function decide() {
    if (!deciding) return;
    const { approval, approve } = deciding;
    decision.mutate(
      { id: approval.id, approve, note },
      {
        onSuccess: () => {
          setNotice(approve ? 'Approved and applied.' : 'Rejected.');
          close();
          setNote('');
        },
      },
    );
  }

  return (
    <section aria-labelledby="approvals-title">
      <div className={styles.filters}>
        <h2 id="approvals-title" className="card-title">
          Approvals
        </h2>
        <label className="field-inline">
          <span className="field-label">Status</span>
          <select
            className="input"
            value={status}
            onChange={(e) => setStatus(e.target.value as ApprovalStatus | '')}
          >
            <option value="pending">pending</option>
            <option value="approved">approved</option>
            <option value="rejected">rejected</option>
            <option value="">all</option>
          </select>
        </label>
      </div>
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {query.isPending ? (
        <Spinner />
      ) : query.isError ? (
        <ErrorMessage error={query.error} />
      ) : query.data.approvals.length === 0 ? (
        <p className="muted">Nothing here.</p>
      ) : (
        <TableScroll label="Approvals">
          <table className="table" data-testid="approvals">
            <thead>
              <tr>
                <th>Requested</th>
                <th>Action</th>
                <th>Customer</th>
                <th className="num">Amount</th>
                <th>Reason / note</th>
                <th>By</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {query.data.approvals.map((a) => {
                const own = a.requestedBy === staff.user.id;
                return (
                  <tr key={a.id}>
                    <td>{formatDateTime(a.createdAt)}</td>
                    <td>{a.action.replace('_', ' ')}</td>
                    <td>
                      <Link to={`/admin/customers/${encodeURIComponent(a.targetUserId)}`}>
                        {a.targetEmail ?? a.targetUserId}
                      </Link>
                    </td>
                    <td className="num">{amountOf(a)}</td>
                    <td>
                      {a.reason}: {a.note}
                    </td>
                    <td>{a.requestedByEmail}</td>
                    <td>{a.status}</td>
                    <td>
                      {a.status === 'pending' && staff.role === 'admin' ? (
                        own ? (
                          <span className="muted">Needs another admin</span>
                        ) : (
                          <div className={styles.actions}>
                            <button
                              type="button"
                              className="button button-small"
                              onClick={() => setDeciding({ approval: a, approve: true })}
                            >
                              Approve
                            </button>
                            <button
                              type="button"
                              className="button button-secondary button-small"
                              onClick={() => setDeciding({ approval: a, approve: false })}
                            >
                              Reject
                            </button>
                          </div>
                        )
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
      {deciding ? (
        <Modal
          title={deciding.approve ? 'Approve this request?' : 'Reject this request?'}
          description={`${deciding.approval.action.replace('_', ' ')} of ${amountOf(deciding.approval)} for ${deciding.approval.targetEmail ?? ''}, requested by ${deciding.approval.requestedByEmail ?? ''}.${deciding.approve ? ' It is applied at once.' : ''}`}
          onClose={close}
          role="alertdialog"
        >
          <label className="field">
            <span className="field-label">Note (optional)</span>
            <textarea
              className="input"
              maxLength={200}
              rows={2}
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
          </label>
          {decision.error ? <ErrorMessage error={decision.error} /> : null}
          <div className="button-row">
            <button type="button" className="button button-secondary" onClick={close}>
              Cancel
            </button>
            <button type="button" className="button" disabled={decision.isPending} onClick={decide}>
              {deciding.approve ? 'Approve' : 'Reject'}
            </button>
          </div>
        </Modal>
      ) : null}
    </section>
  );
}
