/** Every mail the product sends; the outbox worker renders it when it sends. */
export const MAIL_TEMPLATES = [
  'verify_email',
  'reset_password',
  'change_email_verify',
  'change_email_notice',
  'receipt',
  'video_refunded',
  'low_balance',
] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

export type MailParams = Record<string, string | number | boolean | null>;

/** A mail to queue. `to` null: the user's current address, read when it is sent. */
export interface MailDraft {
  userId: string | null;
  to: string | null;
  template: MailTemplate;
  params: MailParams;
}

/** An outbox row claimed for sending (its lease keeps anyone else from sending it too). */
export interface ClaimedMail {
  id: number;
  userId: string | null;
  /** The explicit address, else the user's current one; null: nobody to send to any more. */
  to: string | null;
  template: MailTemplate;
  params: MailParams;
  messageId: string;
  attempts: number;
  createdAt: string;
}

export interface ClaimMailInput {
  now: string;
  leaseUntil: string;
}

export interface MarkMailSentInput {
  id: number;
  now: string;
}

export interface PruneFinishedMailInput {
  createdBefore: string;
  limit: number;
}

export interface MarkMailFailedInput {
  id: number;
  error: string;
  nextAttemptAt: string | null;
  state: 'pending' | 'failed' | 'canceled';
}

/** The outbox: mail is queued by the transactions that cause it, sent by the outbox worker. */
export interface MailStore {
  /** Claims the next due mail for `leaseMs` (also one whose lease ran out: its sender died). */
  claimMail(input: ClaimMailInput): Promise<ClaimedMail | null>;
  /** Marks a claimed mail sent and forgets its parameters (they may hold a link token). */
  markMailSent(input: MarkMailSentInput): Promise<void>;
  /** Forgets finished (sent, failed, canceled) mail created before the cutoff, in batches. */
  pruneFinishedMail(input: PruneFinishedMailInput): Promise<number>;
  /** Puts a claimed mail back for another try at `nextAttemptAt`, or ends it (`failed`). */
  markMailFailed(input: MarkMailFailedInput): Promise<void>;
}
