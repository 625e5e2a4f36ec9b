/**
 * Initial schema. The ledger (`transactions`) is append-only and the database, not the code,
 * refuses to change it; references are unique so one business event has at most one effect.
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
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE credit_packages (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  credits INTEGER NOT NULL CHECK (credits > 0),
  bonus_credits INTEGER NOT NULL DEFAULT 0 CHECK (bonus_credits >= 0),
  price_cents INTEGER NOT NULL CHECK (price_cents > 0),
  currency TEXT NOT NULL,
  best_value INTEGER NOT NULL DEFAULT 0 CHECK (best_value IN (0, 1)),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE transactions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL REFERENCES users(id),
  type TEXT NOT NULL CHECK (type IN ('purchase', 'usage', 'refund', 'bonus', 'adjustment', 'clawback')),
  amount INTEGER NOT NULL CHECK (amount <> 0),
  balance_after INTEGER NOT NULL,
  reference_type TEXT NOT NULL,
  reference_id TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at TEXT NOT NULL,
  CHECK (
    (type IN ('purchase', 'refund', 'bonus') AND amount > 0)
    OR (type IN ('usage', 'clawback') AND amount < 0)
    OR type = 'adjustment'
  ),
  -- Only a clawback may leave an account owing credits.
  CHECK (type = 'clawback' OR amount > 0 OR balance_after >= 0)
) STRICT;
CREATE UNIQUE INDEX transactions_one_effect_per_reference
  ON transactions (type, reference_type, reference_id);
CREATE INDEX transactions_by_user ON transactions (user_id, id DESC);
CREATE INDEX transactions_by_user_time ON transactions (user_id, created_at);

CREATE TRIGGER transactions_no_update BEFORE UPDATE ON transactions
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER transactions_no_delete BEFORE DELETE ON transactions
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
-- The cached balance is written first in the same transaction; the entry must agree with it.
CREATE TRIGGER transactions_balance_matches BEFORE INSERT ON transactions
WHEN NEW.balance_after <> (SELECT credit_balance FROM users WHERE id = NEW.user_id)
BEGIN SELECT RAISE(ABORT, 'ledger balance_after does not match the cached balance'); END;

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
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX payments_by_user ON payments (user_id, created_at DESC);

CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  payment_id TEXT REFERENCES payments(id),
  outcome TEXT NOT NULL,
  received_at TEXT NOT NULL
) STRICT;

CREATE TABLE video_generations (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  idempotency_key TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'canceled')),
  prompt TEXT NOT NULL,
  duration_minutes REAL NOT NULL CHECK (duration_minutes > 0 AND duration_minutes <= 60),
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
  UNIQUE (user_id, idempotency_key)
) STRICT;
CREATE INDEX video_generations_by_user ON video_generations (user_id, created_at DESC);
CREATE INDEX video_generations_by_status ON video_generations (status, created_at);
-- A terminal video never changes state again: completion and failure cannot both win.
CREATE TRIGGER video_generations_terminal_is_final BEFORE UPDATE OF status ON video_generations
WHEN OLD.status IN ('completed', 'failed', 'canceled') AND NEW.status <> OLD.status
BEGIN SELECT RAISE(ABORT, 'video already reached a terminal state'); END;

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
) STRICT;
`;
