/**
 * Accounts people can trust with paid credits (issue 13).
 *
 * - users: when the address was verified, when the account was deleted (the row stays, with
 *   its personal data wiped, so the ledger and payments keep an anonymous owner), and the
 *   two mail preferences.
 * - account_tokens: the single-use links mailed for verification, password reset and email
 *   change. Only the SHA-256 of a token is stored; the mailed value never touches the disk
 *   except inside its not-yet-sent outbox row.
 * - signup_bonus_mailboxes: one row per normalised mailbox (its SHA-256) that received the
 *   signup bonus, written in the bonus's transaction; the primary key refuses a second one.
 * - mail_outbox: every mail, written in the same transaction as the event that causes it and
 *   sent later by the outbox worker (state machine: pending → sending → sent | failed |
 *   canceled). `message_id` is fixed at insert, so a retry carries the same Message-ID.
 * - payments: the card and Stripe's receipt page, and when the credits were added.
 */
export const sql = `
ALTER TABLE users ADD COLUMN email_verified_at TEXT;
ALTER TABLE users ADD COLUMN deleted_at TEXT;
ALTER TABLE users ADD COLUMN notify_refunds INTEGER NOT NULL DEFAULT 1 CHECK (notify_refunds IN (0, 1));
ALTER TABLE users ADD COLUMN notify_low_balance INTEGER NOT NULL DEFAULT 0 CHECK (notify_low_balance IN (0, 1));

CREATE TABLE account_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
  email TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX account_tokens_by_user ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_by_expiry ON account_tokens (expires_at);

CREATE TABLE signup_bonus_mailboxes (
  mailbox_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  granted_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE mail_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT REFERENCES users(id),
  to_address TEXT,
  template TEXT NOT NULL,
  params TEXT NOT NULL,
  message_id TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'canceled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  lease_until TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
) STRICT;
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX mail_outbox_by_user ON mail_outbox (user_id);

ALTER TABLE payments ADD COLUMN card_brand TEXT;
ALTER TABLE payments ADD COLUMN card_last4 TEXT;
ALTER TABLE payments ADD COLUMN stripe_receipt_url TEXT;
ALTER TABLE payments ADD COLUMN credited_at TEXT;
-- Payments credited before this version: their last update is the best date there is.
UPDATE payments SET credited_at = updated_at WHERE credited = 1;
`;
