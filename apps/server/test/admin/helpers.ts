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

export function auditRows(h: Harness): Promise<Record<string, unknown>[]> {
  return h.data.auditLog();
}

export function balance(h: Harness, userId: string): Promise<number> {
  return h.data.balanceOf({ userId });
}

/** Everything a refused action must leave untouched. */
export async function snapshot(h: Harness) {
  const rows = (table: 'users' | 'sessions' | 'video_generations', columns: string[]) =>
    h.data.rows({ table, columns });
  return {
    transactions: await h.data.countRows({ table: 'transactions' }),
    audit: await h.data.countRows({ table: 'admin_audit_log' }),
    approvals: await h.data.countRows({ table: 'admin_approvals' }),
    balances: await h.data.balances(),
    sessions: await rows('sessions', ['id', 'revoked_at']),
    videos: await rows('video_generations', ['id', 'status']),
    disabled: await rows('users', ['id', 'disabled_at']),
  };
}

export const NOTE = 'Ticket #123: render failed twice';
