import type { PaymentStatus, TransactionType, VideoStatus } from '@app/shared';
import styles from './StatusPill.module.css';

type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

const TONE: Record<Tone, string | undefined> = {
  neutral: styles.pillNeutral,
  info: styles.pillInfo,
  success: styles.pillSuccess,
  warning: styles.pillWarning,
  danger: styles.pillDanger,
};

const PAYMENT: Record<PaymentStatus, [string, Tone]> = {
  pending: ['Pending', 'info'],
  requires_action: ['Needs authentication', 'warning'],
  succeeded: ['Paid', 'success'],
  failed: ['Failed', 'danger'],
  canceled: ['Canceled', 'neutral'],
  partially_refunded: ['Partially refunded', 'warning'],
  refunded: ['Refunded', 'neutral'],
  disputed: ['Disputed', 'warning'],
  dispute_lost: ['Dispute lost', 'danger'],
};

const VIDEO: Record<VideoStatus, [string, Tone]> = {
  queued: ['Queued', 'info'],
  processing: ['Rendering', 'info'],
  completed: ['Ready', 'success'],
  failed: ['Failed', 'danger'],
  canceled: ['Canceled', 'neutral'],
};

const TRANSACTION: Record<TransactionType, [string, Tone]> = {
  purchase: ['Purchase', 'success'],
  usage: ['Usage', 'neutral'],
  refund: ['Refund', 'info'],
  bonus: ['Bonus', 'success'],
  adjustment: ['Adjustment', 'warning'],
  clawback: ['Clawback', 'danger'],
};

export const TRANSACTION_LABELS = Object.fromEntries(
  Object.entries(TRANSACTION).map(([k, [label]]) => [k, label]),
) as Record<TransactionType, string>;

export const VIDEO_STATUS_LABELS = Object.fromEntries(
  Object.entries(VIDEO).map(([k, [label]]) => [k, label]),
) as Record<VideoStatus, string>;

function Pill({ label, tone }: { label: string; tone: Tone }) {
  return <span className={`${styles.pill} ${TONE[tone]}`}>{label}</span>;
}

export function PaymentStatusPill({ status }: { status: PaymentStatus }) {
  const [label, tone] = PAYMENT[status];
  return <Pill label={label} tone={tone} />;
}

export function VideoStatusPill({ status }: { status: VideoStatus }) {
  const [label, tone] = VIDEO[status];
  return <Pill label={label} tone={tone} />;
}

export function TransactionTypePill({ type }: { type: TransactionType }) {
  const [label, tone] = TRANSACTION[type];
  return <Pill label={label} tone={tone} />;
}
