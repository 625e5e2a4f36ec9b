import type { AuditLogResponse, AuditQuerySchema } from '@app/shared';
import type { z } from 'zod';
import { validationError } from '../../errors.ts';
import { presentAudit } from '../../presenters/admin.ts';
import type { ServiceContext } from '../context.ts';

/** Newest first, in keyset pages (`before` = the last id of the previous page). */
export async function listAuditLog(options: {
  ctx: ServiceContext;
  input: z.output<typeof AuditQuerySchema>;
}): Promise<AuditLogResponse> {
  const { input: query } = options;
  const from = query.from ? new Date(query.from).toISOString() : undefined;
  const to = query.to ? endOf(query.to) : undefined;
  if (from && to && from > to) throw validationError('`from` must be before `to`');
  const rows = await options.ctx.store.admin.listAudit({ ...query, from, to });
  return {
    entries: rows.map(presentAudit),
    nextBefore: rows.length === query.limit ? rows[rows.length - 1]!.id : null,
  };
}

function endOf(value: string): string {
  const date = new Date(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) date.setUTCHours(23, 59, 59, 999);
  return date.toISOString();
}
