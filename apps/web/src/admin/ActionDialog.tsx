import { useState, type FormEvent } from 'react';
import {
  ADMIN_NOTE_MAX_CHARS,
  REASON_CODES,
  type AdminActionResponse,
  type ReasonCode,
} from '@app/shared';
import { ErrorMessage } from '../components/ErrorMessage';
import { Modal } from '../components/Modal';
import { useAdminAction } from './api';

export interface ActionValues {
  amount: number | undefined;
  reason: ReasonCode;
  note: string;
}

export interface ActionSpec {
  title: string;
  description: string;
  confirmLabel: string;
  /** Asks for an amount with this label (credits or cents); optional amounts may be left empty. */
  amount?: { label: string; required: boolean; max?: number };
  reasons?: readonly ReasonCode[];
  defaultReason: ReasonCode;
  run: (values: ActionValues) => Promise<AdminActionResponse>;
}

/** Every console action goes through this confirmation: a reason code and a note for the log. */
export function ActionDialog({
  spec,
  onClose,
  onDone,
}: {
  spec: ActionSpec;
  onClose: () => void;
  onDone: (result: AdminActionResponse) => void;
}) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState<ReasonCode>(spec.defaultReason);
  const [note, setNote] = useState('');
  const action = useAdminAction(spec.run);

  function submit(event: FormEvent) {
    event.preventDefault();
    action.mutate(
      { amount: amount.trim() === '' ? undefined : Number(amount), reason, note },
      { onSuccess: onDone },
    );
  }

  return (
    <Modal title={spec.title} description={spec.description} onClose={onClose} role="alertdialog">
      <form onSubmit={submit} className="stack">
        {spec.amount ? (
          <label className="field">
            <span className="field-label">{spec.amount.label}</span>
            <input
              className="input"
              name="amount"
              type="number"
              inputMode="numeric"
              min={1}
              max={spec.amount.max}
              step={1}
              required={spec.amount.required}
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
            />
          </label>
        ) : null}
        <label className="field">
          <span className="field-label">Reason</span>
          <select
            className="input"
            name="reason"
            value={reason}
            onChange={(e) => setReason(e.target.value as ReasonCode)}
          >
            {(spec.reasons ?? REASON_CODES).map((r) => (
              <option key={r} value={r}>
                {r.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Note for the audit log</span>
          <textarea
            className="input"
            name="note"
            required
            maxLength={ADMIN_NOTE_MAX_CHARS}
            rows={3}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <span className="field-counter">
            {note.length} / {ADMIN_NOTE_MAX_CHARS}
          </span>
        </label>
        {action.error ? <ErrorMessage error={action.error} /> : null}
        <div className="button-row">
          <button type="button" className="button button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button" disabled={action.isPending || action.isSuccess}>
            {action.isPending ? 'Working…' : spec.confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
