import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import {
  TRANSACTION_TYPES,
  type AdminActionResponse,
  type AdminMeResponse,
  type Payment,
  type TransactionType,
  type Video,
} from '@app/shared';
import { Alert } from '../components/Alert';
import { ErrorMessage } from '../components/ErrorMessage';
import { Spinner } from '../components/Spinner';
import { downloadBlob } from '../lib/csv';
import { formatDateTime } from '../lib/dates';
import { formatCents, formatNumber, formatSignedCredits } from '../lib/money';
import { ActionDialog, type ActionSpec } from './ActionDialog';
import * as api from './api';
import styles from './admin.module.css';
import { UserText } from '../components/UserText';
import { TableScroll } from './TableScroll';

function resultMessage(result: AdminActionResponse): string {
  if (result.status === 'pending_approval') {
    return 'Above the approval threshold: waiting for a second admin (see Approvals).';
  }
  return result.balance === null ? 'Done.' : `Done. Balance now ${formatNumber(result.balance)}.`;
}

/** One customer: the account, its money and videos, and every console action on it. */
export function CustomerPage({ staff }: { staff: AdminMeResponse }) {
  const { id = '' } = useParams();
  const [dialog, setDialog] = useState<ActionSpec | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [type, setType] = useState<TransactionType | ''>('');
  const [ledgerPage, setLedgerPage] = useState(1);
  const key = [...api.adminKeys.all, 'customer', id];
  const customer = useQuery({ ...api.FRESH, queryKey: key, queryFn: () => api.getCustomer(id) });
  const filters = type ? { type } : {};
  const ledger = useQuery({
    queryKey: [...key, 'ledger', type, ledgerPage],
    ...api.FRESH,
    queryFn: () => api.getCustomerTransactions(id, filters, ledgerPage),
  });
  const payments = useQuery({
    queryKey: [...key, 'payments'],
    ...api.FRESH,
    queryFn: () => api.getCustomerPayments(id, 1),
  });
  const videos = useQuery({
    queryKey: [...key, 'videos'],
    ...api.FRESH,
    queryFn: () => api.getCustomerVideos(id, 1),
  });

  if (customer.isPending) return <Spinner />;
  if (customer.isError) return <ErrorMessage error={customer.error} />;
  const { customer: c, sessions, approvals } = customer.data;
  const isAdmin = staff.role === 'admin';

  const open = (spec: ActionSpec) => {
    setNotice(null);
    setDialog(spec);
  };
  const done = (result: AdminActionResponse) => {
    setDialog(null);
    setNotice(resultMessage(result));
  };

  const grant: ActionSpec = {
    title: `Grant credits to ${c.email}`,
    description: isAdmin
      ? `More than ${formatNumber(staff.approvalThreshold)} credits needs a second admin's approval.`
      : `Support can grant up to ${formatNumber(staff.supportGrantLimit)} goodwill credits.`,
    confirmLabel: 'Grant credits',
    amount: { label: 'Credits', required: true },
    reasons: isAdmin ? undefined : ['goodwill'],
    defaultReason: 'goodwill',
    run: (v) => api.grantCredits(c.id, { amount: v.amount ?? 0, reason: v.reason, note: v.note }),
  };
  const debit: ActionSpec = {
    title: `Debit credits from ${c.email}`,
    description:
      'A correction may not take the balance below zero; only a chargeback may leave the customer owing credits.',
    confirmLabel: 'Debit credits',
    amount: { label: 'Credits', required: true },
    defaultReason: 'correction',
    run: (v) => api.debitCredits(c.id, { amount: v.amount ?? 0, reason: v.reason, note: v.note }),
  };
  const account = (what: 'revoke-sessions' | 'disable' | 'enable', title: string, text: string) =>
    open({
      title,
      description: text,
      confirmLabel: title,
      defaultReason: 'correction',
      run: (v) => api.accountAction(c.id, what, { reason: v.reason, note: v.note }),
    });
  const refund = (p: Payment) =>
    open({
      title: `Refund payment ${p.id.slice(0, 8)}…`,
      description: `Refunds through Stripe (leave the amount empty for the rest of ${formatCents(p.amountCents - p.amountRefundedCents, p.currency)}). The credits are taken back when Stripe confirms.`,
      confirmLabel: 'Refund',
      amount: { label: 'Amount in cents (optional)', required: false },
      defaultReason: 'goodwill',
      run: (v) =>
        api.refundPayment(p.id, { amountCents: v.amount, reason: v.reason, note: v.note }),
    });
  const video = (v: Video, what: 'fail' | 'requeue') =>
    open({
      title: what === 'fail' ? 'Fail and refund this video' : 'Requeue this video',
      description:
        what === 'fail'
          ? `Stops the render and refunds all ${formatNumber(v.creditsUsed)} credits.`
          : 'Puts a video stuck in processing back in the queue (refused while it is rendering).',
      confirmLabel: what === 'fail' ? 'Fail and refund' : 'Requeue',
      defaultReason: 'job_refund',
      run: (values) => api.videoAction(v.id, what, { reason: values.reason, note: values.note }),
    });

  async function exportCsv() {
    const blob = await api.getCustomerTransactionsCsv(c.id, filters);
    downloadBlob(`customer-${c.id}-transactions${type ? `-${type}` : ''}.csv`, blob);
  }

  return (
    <section aria-labelledby="customer-title">
      <h2 id="customer-title" className="card-title">
        {c.email}
      </h2>
      {notice ? (
        <Alert tone="success" title="Action recorded">
          {notice}
        </Alert>
      ) : null}
      <div className={styles.columns}>
        <div className="card">
          <dl className={styles.facts}>
            <dt>Name</dt>
            <dd>
              <UserText>{c.name}</UserText>
            </dd>
            <dt>Account id</dt>
            <dd>
              <code>{c.id}</code>
            </dd>
            <dt>Balance</dt>
            <dd data-testid="customer-balance">{formatNumber(c.creditBalance)}</dd>
            <dt>Owed credits</dt>
            <dd className={c.owedCredits > 0 ? styles.danger : undefined}>
              {formatNumber(c.owedCredits)}
            </dd>
            <dt>Purchased</dt>
            <dd>{formatNumber(c.totalCreditsPurchased)}</dd>
            <dt>Email</dt>
            <dd>
              {c.emailVerified ? `verified ${formatDateTime(c.emailVerifiedAt!)}` : 'not verified'}
            </dd>
            <dt>Status</dt>
            <dd data-testid="customer-status">
              {c.deletedAt
                ? 'deleted'
                : c.disabledAt
                  ? `disabled ${formatDateTime(c.disabledAt)}`
                  : 'active'}
            </dd>
            <dt>Role</dt>
            <dd>{c.role}</dd>
            <dt>Since</dt>
            <dd>{formatDateTime(c.createdAt)}</dd>
          </dl>
        </div>
        <div className="card">
          <h3 className="card-title">Actions</h3>
          <div className={styles.actions}>
            <button type="button" className="button" onClick={() => open(grant)}>
              Grant credits
            </button>
            {isAdmin ? (
              <>
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => open(debit)}
                >
                  Debit credits
                </button>
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() =>
                    account(
                      'revoke-sessions',
                      'Revoke sessions',
                      'Signs the customer out on every device.',
                    )
                  }
                >
                  Revoke sessions
                </button>
                {c.disabledAt ? (
                  <button
                    type="button"
                    className="button button-secondary"
                    onClick={() =>
                      account('enable', 'Enable account', 'The customer can sign in again.')
                    }
                  >
                    Enable account
                  </button>
                ) : (
                  <button
                    type="button"
                    className="button button-danger-outline"
                    onClick={() =>
                      account(
                        'disable',
                        'Disable account',
                        'The customer is signed out and cannot sign in, spend or buy. Payments already made still settle.',
                      )
                    }
                  >
                    Disable account
                  </button>
                )}
              </>
            ) : null}
          </div>
          {approvals.length > 0 ? (
            <>
              <h3 className="card-title">Approval requests</h3>
              <ul>
                {approvals.map((a) => (
                  <li key={a.id}>
                    {a.action} {formatNumber(a.amount)} — {a.status}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      </div>

      <div className={`card ${styles.section}`}>
        <h3 className="card-title">Ledger</h3>
        <div className={styles.filters}>
          <label className="field-inline">
            <span className="field-label">Type</span>
            <select
              className="input"
              name="type"
              value={type}
              onChange={(e) => {
                setType(e.target.value as TransactionType | '');
                setLedgerPage(1);
              }}
            >
              <option value="">All</option>
              {TRANSACTION_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => void exportCsv()}
          >
            Export CSV
          </button>
        </div>
        {ledger.isPending ? (
          <Spinner />
        ) : ledger.isError ? (
          <ErrorMessage error={ledger.error} />
        ) : (
          <>
            <TableScroll label="Ledger">
              <table className="table" data-testid="customer-ledger">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Type</th>
                    <th>Description</th>
                    <th className="num">Amount</th>
                    <th className="num">Balance</th>
                  </tr>
                </thead>
                <tbody>
                  {ledger.data.transactions.map((t) => (
                    <tr key={t.id}>
                      <td>{formatDateTime(t.createdAt)}</td>
                      <td>{t.type}</td>
                      <td>{t.description}</td>
                      <td className="num">{formatSignedCredits(t.amount)}</td>
                      <td className="num">{formatNumber(t.balanceAfter)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            <div className="button-row">
              <button
                type="button"
                className="button button-ghost button-small"
                disabled={ledgerPage <= 1}
                onClick={() => setLedgerPage((p) => p - 1)}
              >
                Newer
              </button>
              <span className="muted">
                Page {ledger.data.pagination.page} of{' '}
                {Math.max(1, ledger.data.pagination.totalPages)}
              </span>
              <button
                type="button"
                className="button button-ghost button-small"
                disabled={ledgerPage >= ledger.data.pagination.totalPages}
                onClick={() => setLedgerPage((p) => p + 1)}
              >
                Older
              </button>
            </div>
          </>
        )}
      </div>

      <div className={`card ${styles.section}`}>
        <h3 className="card-title">Payments</h3>
        {payments.data ? (
          <TableScroll label="Payments">
            <table className="table" data-testid="customer-payments">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Package</th>
                  <th>Status</th>
                  <th className="num">Amount</th>
                  <th className="num">Refunded</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {payments.data.payments.map((p) => (
                  <tr key={p.id}>
                    <td>{formatDateTime(p.createdAt)}</td>
                    <td>{p.packageName}</td>
                    <td>{p.status}</td>
                    <td className="num">{formatCents(p.amountCents, p.currency)}</td>
                    <td className="num">{formatCents(p.amountRefundedCents, p.currency)}</td>
                    <td>
                      {isAdmin &&
                      p.amountRefundedCents < p.amountCents &&
                      ['succeeded', 'partially_refunded'].includes(p.status) ? (
                        <button
                          type="button"
                          className="button button-secondary button-small"
                          onClick={() => refund(p)}
                        >
                          Refund
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : (
          <Spinner />
        )}
      </div>

      <div className={`card ${styles.section}`}>
        <h3 className="card-title">Videos</h3>
        {videos.data ? (
          <TableScroll label="Videos">
            <table className="table" data-testid="customer-videos">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Prompt</th>
                  <th>Status</th>
                  <th className="num">Credits</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {videos.data.videos.map((v) => (
                  <tr key={v.id}>
                    <td>{formatDateTime(v.createdAt)}</td>
                    <td>
                      <UserText>{v.prompt}</UserText>
                    </td>
                    <td>
                      {v.status}
                      {v.status === 'processing' ? ` ${v.progress}%` : ''}
                    </td>
                    <td className="num">
                      {formatNumber(v.creditsUsed)}
                      {v.creditsRefunded > 0
                        ? ` (−${formatNumber(v.creditsRefunded)} refunded)`
                        : ''}
                    </td>
                    <td>
                      {isAdmin && (v.status === 'queued' || v.status === 'processing') ? (
                        <div className={styles.actions}>
                          <button
                            type="button"
                            className="button button-secondary button-small"
                            onClick={() => video(v, 'fail')}
                          >
                            Fail and refund
                          </button>
                          {v.status === 'processing' ? (
                            <button
                              type="button"
                              className="button button-ghost button-small"
                              onClick={() => video(v, 'requeue')}
                            >
                              Requeue
                            </button>
                          ) : null}
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : (
          <Spinner />
        )}
      </div>

      <div className={`card ${styles.section}`}>
        <h3 className="card-title">Sessions</h3>
        <TableScroll label="Sessions">
          <table className="table" data-testid="customer-sessions">
            <thead>
              <tr>
                <th>Session</th>
                <th>Started</th>
                <th>Expires</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={`${s.id}-${s.createdAt}`}>
                  <td>
                    <code>{s.id}</code>
                  </td>
                  <td>{formatDateTime(s.createdAt)}</td>
                  <td>{formatDateTime(s.expiresAt)}</td>
                  <td>{s.active ? 'active' : s.revokedAt ? 'revoked' : 'expired'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </div>

      {dialog ? <ActionDialog spec={dialog} onClose={() => setDialog(null)} onDone={done} /> : null}
    </section>
  );
}
