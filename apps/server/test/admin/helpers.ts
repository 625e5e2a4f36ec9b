import type { AdminRole } from '@app/shared';
import type { Harness, TestUser } from '../helpers/harness.ts';

/** Signs a user up and gives them a console role, as `pnpm admin:create` does. */
export async function staffUser(h: Harness, role: AdminRole, email?: string): Promise<TestUser> {
  const user = await h.signup(email ? { email } : {});
  await h.store.admin.setRole({
    email: user.email,
    role,
    actor: { id: null, role: 'cli', requestId: null },
    now: new Date().toISOString(),
  });
  return user;
}

export function auditRows(h: Harness): Record<string, unknown>[] {
  return h.store.db.prepare('SELECT * FROM admin_audit_log ORDER BY id').all() as Record<
    string,
    unknown
  >[];
}

export function balance(h: Harness, userId: string): number {
  return h.store.db
    .prepare('SELECT credit_balance FROM users WHERE id = ?')
    .pluck()
    .get(userId) as number;
}

/** Everything a refused action must leave untouched. */
export function snapshot(h: Harness) {
  const count = (table: string) =>
    h.store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
  return {
    transactions: count('transactions'),
    audit: count('admin_audit_log'),
    approvals: count('admin_approvals'),
    balances: h.store.db.prepare('SELECT id, credit_balance FROM users ORDER BY id').all(),
    sessions: h.store.db.prepare('SELECT id, revoked_at FROM sessions ORDER BY id').all(),
    videos: h.store.db.prepare('SELECT id, status FROM video_generations ORDER BY id').all(),
    disabled: h.store.db.prepare('SELECT id, disabled_at FROM users ORDER BY id').all(),
  };
}

export const NOTE = 'Ticket #123: render failed twice';
