import { TRANSACTION_TYPES } from '@app/shared';
import { ADMIN_REFERENCE_TYPE } from './admin.ts';
import type { Db } from './open.ts';

const ANY_TYPE = TRANSACTION_TYPES.map((t) => `'${t}'`).join(', ');

export const ADMIN_INVARIANTS = {
  audited: 'I9 every console ledger entry has its audit entry',
  appendOnly: 'I9 audit log is append-only (triggers present)',
};

/**
 * I9: every ledger entry the console wrote (`reference_type = 'admin'`) has the audit row it
 * references, naming that entry and its amount; and the audit log's append-only triggers
 * exist. A database from before the console (no audit table) has no such entries to check.
 * Streams through the ledger's (type, reference_type, reference_id) index.
 */
export function checkAdminAudit(
  db: Db,
  add: (invariant: string, message: string) => void,
  userId: string | undefined,
): void {
  const hasTable = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'admin_audit_log'`)
    .get();
  if (!hasTable) return;
  if (userId === undefined) {
    const triggers = db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'trigger'
           AND name IN ('admin_audit_log_no_update', 'admin_audit_log_no_delete')`,
      )
      .pluck()
      .all() as string[];
    for (const name of ['admin_audit_log_no_update', 'admin_audit_log_no_delete']) {
      if (!triggers.includes(name)) add(ADMIN_INVARIANTS.appendOnly, `trigger ${name} is missing`);
    }
  }
  const rows = db
    .prepare(
      `SELECT t.id, t.user_id, t.type, t.amount, t.reference_id FROM transactions t
         WHERE t.type IN (${ANY_TYPE}) AND t.reference_type = '${ADMIN_REFERENCE_TYPE}'
           ${userId === undefined ? '' : 'AND t.user_id = @userId'}
           AND NOT EXISTS (SELECT 1 FROM admin_audit_log a WHERE a.id = t.reference_id
             AND a.ledger_entry_id = t.id AND a.amount = t.amount AND a.target_user_id = t.user_id)`,
    )
    .iterate(...(userId === undefined ? [] : [{ userId }])) as Iterable<Record<string, unknown>>;
  for (const r of rows) {
    add(
      ADMIN_INVARIANTS.audited,
      `entry ${r.id} (${r.type} ${r.amount}) of user ${r.user_id} has no audit entry ${r.reference_id}`,
    );
  }
}
