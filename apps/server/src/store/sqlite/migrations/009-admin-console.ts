/**
 * The support console (issue 14).
 *
 * - users: a role (`user`, `support`, `admin`; nobody is an admin until `pnpm admin:create`)
 *   and when the account was disabled (a disabled account cannot sign in, spend or buy).
 * - admin_approvals: four-eyes requests for money actions above the configured threshold. The
 *   database refuses a decision by the requester, so no code path can approve its own request.
 * - admin_audit_log: one row per console action, append-only like the ledger (triggers refuse
 *   UPDATE and DELETE). A ledger entry written by the console references its audit row
 *   (`reference_type = 'admin'`, `reference_id` = the audit id), which `ledger:verify` checks.
 */
export const sql = `
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'support', 'admin'));
ALTER TABLE users ADD COLUMN disabled_at TEXT;
CREATE INDEX users_staff ON users (role) WHERE role <> 'user';

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
) STRICT;
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
  ledger_entry_id INTEGER UNIQUE REFERENCES transactions(id),
  approval_id TEXT REFERENCES admin_approvals(id),
  details TEXT
) STRICT;
CREATE INDEX admin_audit_by_target ON admin_audit_log (target_user_id, id);
CREATE INDEX admin_audit_by_actor ON admin_audit_log (actor_id, id);
CREATE INDEX admin_audit_by_action ON admin_audit_log (action, id);

CREATE TRIGGER admin_audit_log_no_update BEFORE UPDATE ON admin_audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER admin_audit_log_no_delete BEFORE DELETE ON admin_audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
`;
