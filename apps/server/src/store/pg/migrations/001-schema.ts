/**
 * The schema of SQLite version 11, in PostgreSQL. Columns keep SQLite's representation (ISO
 * text timestamps, 0/1 flags) so both adapters share their row mappers and compare times the
 * same way. The same rules are enforced by the database itself:
 * - the ledger is append-only: triggers refuse UPDATE, DELETE and TRUNCATE, and the app role
 *   (see migrate.ts) has neither those rights nor ownership of any table;
 * - each entry agrees with the cached balance written first in its transaction (trigger);
 * - no balance goes below zero except by a clawback (CHECK on the entry);
 * - one ledger effect per business event (unique type + reference);
 * - a terminal video never changes state again; the audit log is append-only too.
 */
export const sql = /* sql */ `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  credit_balance INTEGER NOT NULL DEFAULT 0,
  total_credits_purchased INTEGER NOT NULL DEFAULT 0 CHECK (total_credits_purchased >= 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  email_verified_at TEXT,
  deleted_at TEXT,
  notify_refunds INTEGER NOT NULL DEFAULT 1 CHECK (notify_refunds IN (0, 1)),
  notify_low_balance INTEGER NOT NULL DEFAULT 0 CHECK (notify_low_balance IN (0, 1)),
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'support', 'admin')),
  disabled_at TEXT
);
CREATE INDEX users_staff ON users (role) WHERE role <> 'user';

CREATE TABLE credit_packages (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  credits INTEGER NOT NULL CHECK (credits > 0),
  bonus_credits INTEGER NOT NULL DEFAULT 0 CHECK (bonus_credits >= 0),
  price_cents INTEGER NOT NULL CHECK (price_cents > 0),
  currency TEXT NOT NULL,
  best_value INTEGER NOT NULL DEFAULT 0 CHECK (best_value IN (0, 1)),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE transactions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  type TEXT NOT NULL CHECK (type IN ('purchase', 'usage', 'refund', 'bonus', 'adjustment', 'clawback')),
  amount INTEGER NOT NULL CHECK (amount <> 0),
  balance_after INTEGER NOT NULL,
  reference_type TEXT NOT NULL,
  reference_id TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at TEXT NOT NULL,
  user_seq INTEGER NOT NULL,
  CHECK (
    (type IN ('purchase', 'refund', 'bonus') AND amount > 0)
    OR (type IN ('usage', 'clawback') AND amount < 0)
    OR type = 'adjustment'
  ),
  CHECK (type = 'clawback' OR amount > 0 OR balance_after >= 0)
);
CREATE UNIQUE INDEX transactions_one_effect_per_reference
  ON transactions (type, reference_type, reference_id);
CREATE UNIQUE INDEX transactions_by_user_seq ON transactions (user_id, user_seq);
CREATE INDEX transactions_by_user ON transactions (user_id, id DESC);
CREATE INDEX transactions_by_user_time ON transactions (user_id, created_at);

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER transactions_no_update BEFORE UPDATE OR DELETE ON transactions
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER transactions_no_truncate BEFORE TRUNCATE ON transactions
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

CREATE FUNCTION ledger_balance_matches() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.balance_after IS DISTINCT FROM (SELECT credit_balance FROM users WHERE id = NEW.user_id) THEN
    RAISE EXCEPTION 'ledger balance_after does not match the cached balance'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER transactions_balance_matches BEFORE INSERT ON transactions
  FOR EACH ROW EXECUTE FUNCTION ledger_balance_matches();

CREATE TABLE payments (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  package_id INTEGER NOT NULL REFERENCES credit_packages(id),
  package_name TEXT NOT NULL,
  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
  currency TEXT NOT NULL,
  credits INTEGER NOT NULL CHECK (credits > 0),
  status TEXT NOT NULL,
  stripe_payment_intent_id TEXT UNIQUE,
  credited INTEGER NOT NULL DEFAULT 0 CHECK (credited IN (0, 1)),
  amount_received_cents INTEGER,
  amount_refunded_cents INTEGER NOT NULL DEFAULT 0 CHECK (amount_refunded_cents >= 0),
  credits_clawed_back INTEGER NOT NULL DEFAULT 0,
  dispute_id TEXT,
  dispute_status TEXT CHECK (dispute_status IN ('open', 'won', 'lost')),
  failure_message TEXT,
  anomaly TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  user_seq INTEGER NOT NULL,
  card_brand TEXT,
  card_last4 TEXT,
  stripe_receipt_url TEXT,
  credited_at TEXT
);
CREATE UNIQUE INDEX payments_by_user ON payments (user_id, user_seq);

CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  payment_id TEXT REFERENCES payments(id),
  outcome TEXT NOT NULL,
  received_at TEXT NOT NULL
);
CREATE INDEX stripe_events_by_age ON stripe_events (received_at);

CREATE TABLE video_generations (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  idempotency_key TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'canceled')),
  prompt TEXT NOT NULL,
  duration_minutes DOUBLE PRECISION NOT NULL CHECK (duration_minutes > 0 AND duration_minutes <= 60),
  resolution TEXT NOT NULL CHECK (resolution IN ('720p', '1080p')),
  custom_music INTEGER NOT NULL CHECK (custom_music IN (0, 1)),
  premium_tts INTEGER NOT NULL CHECK (premium_tts IN (0, 1)),
  ai_enhancement INTEGER NOT NULL CHECK (ai_enhancement IN (0, 1)),
  credits_used INTEGER NOT NULL CHECK (credits_used > 0),
  credits_refunded INTEGER NOT NULL DEFAULT 0 CHECK (credits_refunded >= 0),
  progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  error TEXT,
  file_path TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  completed_at TEXT,
  fair_round INTEGER NOT NULL DEFAULT 0,
  user_seq INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until TEXT,
  deleted_at TEXT
);
CREATE INDEX video_generations_deleted ON video_generations (user_id) WHERE deleted_at IS NOT NULL;
CREATE UNIQUE INDEX video_generations_by_user ON video_generations (user_id, user_seq);
CREATE INDEX video_generations_active_by_round
  ON video_generations (status, fair_round, created_at, id)
  WHERE status IN ('queued', 'processing');
CREATE INDEX video_generations_active_by_user
  ON video_generations (user_id, status, fair_round)
  WHERE status IN ('queued', 'processing');
CREATE INDEX video_generations_leases ON video_generations (lease_until) WHERE status = 'processing';

CREATE FUNCTION video_terminal_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status IN ('completed', 'failed', 'canceled') AND NEW.status <> OLD.status THEN
    RAISE EXCEPTION 'video already reached a terminal state'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER video_generations_terminal_is_final BEFORE UPDATE OF status ON video_generations
  FOR EACH ROW EXECUTE FUNCTION video_terminal_is_final();

CREATE TABLE idempotency_keys (
  user_id TEXT NOT NULL REFERENCES users(id),
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
  response_status INTEGER,
  response_body TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (user_id, scope, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_in_progress ON idempotency_keys (user_id) WHERE state = 'in_progress';

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE account_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
  email TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX account_tokens_by_user ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_by_expiry ON account_tokens (expires_at);

CREATE TABLE signup_bonus_mailboxes (
  mailbox_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  granted_at TEXT NOT NULL
);

CREATE TABLE mail_outbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX mail_outbox_by_user ON mail_outbox (user_id);

CREATE TABLE admin_approvals (
  id TEXT PRIMARY KEY,
  action TEXT NOT NULL CHECK (action IN ('grant_credits', 'debit_credits', 'refund_payment')),
  target_user_id TEXT NOT NULL REFERENCES users(id),
  payment_id TEXT REFERENCES payments(id),
  amount INTEGER NOT NULL CHECK (amount > 0),
  reason TEXT NOT NULL CHECK (reason IN ('goodwill', 'correction', 'chargeback', 'migration', 'job_refund')),
  note TEXT NOT NULL CHECK (length(note) <= 200),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  requested_by TEXT NOT NULL REFERENCES users(id),
  decided_by TEXT REFERENCES users(id),
  decided_at TEXT,
  created_at TEXT NOT NULL,
  CHECK (decided_by IS NULL OR decided_by <> requested_by),
  CHECK ((status = 'pending') = (decided_by IS NULL))
);
CREATE INDEX admin_approvals_by_status ON admin_approvals (status, created_at);
CREATE INDEX admin_approvals_by_target ON admin_approvals (target_user_id, created_at);

CREATE TABLE admin_audit_log (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  actor_id TEXT REFERENCES users(id),
  actor_role TEXT NOT NULL CHECK (actor_role IN ('support', 'admin', 'cli')),
  action TEXT NOT NULL,
  target_user_id TEXT REFERENCES users(id),
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  reason TEXT CHECK (reason IS NULL OR reason IN ('goodwill', 'correction', 'chargeback', 'migration', 'job_refund')),
  note TEXT NOT NULL CHECK (length(note) <= 200),
  request_id TEXT,
  amount INTEGER,
  balance_before INTEGER,
  balance_after INTEGER,
  ledger_entry_id BIGINT UNIQUE REFERENCES transactions(id),
  approval_id TEXT REFERENCES admin_approvals(id),
  details TEXT
);
CREATE INDEX admin_audit_by_target ON admin_audit_log (target_user_id, id);
CREATE INDEX admin_audit_by_actor ON admin_audit_log (actor_id, id);
CREATE INDEX admin_audit_by_action ON admin_audit_log (action, id);
CREATE TRIGGER admin_audit_log_no_update BEFORE UPDATE OR DELETE ON admin_audit_log
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER admin_audit_log_no_truncate BEFORE TRUNCATE ON admin_audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- Rate limits and throttles shared by every instance (rate-limiter-flexible's layout): not
-- worth WAL or fsync, a crash only forgets some counters.
CREATE UNLOGGED TABLE rate_limits (
  key TEXT PRIMARY KEY,
  points INTEGER NOT NULL DEFAULT 0,
  expire BIGINT
);
`;
