import type { AdminMeResponse } from '@app/shared';
import { AppError, unauthorized } from '../../errors.ts';
import type { AuditActor } from '../../store/admin-types.ts';
import type { Actor, ServiceContext } from '../context.ts';

/** A signed-in member of staff: their role is read from the database on every request. */
export interface StaffActor extends Actor {
  role: 'support' | 'admin';
  /** The HTTP request id, recorded with every audit entry the request writes. */
  requestId: string | null;
}

/**
 * The staff member behind a session, or null for everyone else (a user, a disabled or
 * deleted account): the console answers them as if it did not exist.
 */
export async function findStaff(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: { requestId: string | null };
}): Promise<StaffActor | null> {
  const user = await options.ctx.store.findUserById({ id: options.actor.userId });
  if (!user || user.role === 'user' || user.disabledAt || user.deletedAt) return null;
  return { ...options.actor, role: user.role, requestId: options.input.requestId };
}

/** The console's own header: who is signed in, with which role, and the limits they work under. */
export async function getStaffProfile(options: {
  ctx: ServiceContext;
  actor: StaffActor;
}): Promise<AdminMeResponse> {
  const { ctx, actor } = options;
  const user = await ctx.store.findUserById({ id: actor.userId });
  if (!user) throw unauthorized();
  return {
    user: { id: user.id, email: user.email, name: user.name },
    role: actor.role,
    supportGrantLimit: ctx.config.admin.supportGrantLimitCredits,
    approvalThreshold: ctx.config.admin.approvalThresholdCredits,
  };
}

/** Support is read-only apart from small goodwill grants; everything else needs an admin. */
export function requireAdmin(staff: StaffActor, what: string): void {
  if (staff.role !== 'admin') throw new AppError('FORBIDDEN', `Only an admin can ${what}`);
}

export function auditActor(staff: StaffActor): AuditActor & { id: string } {
  return { id: staff.userId, role: staff.role, requestId: staff.requestId };
}

/** Nobody moves money into or out of their own account, nor locks themselves out. */
export function refuseSelf(staff: StaffActor, targetUserId: string, what: string): void {
  if (staff.userId === targetUserId) {
    throw new AppError('FORBIDDEN', `You cannot ${what} on your own account`);
  }
}
