import type { AdminCustomer, AdminSession, Approval, AuditEntry } from '@app/shared';
import type { ApprovalRecord, AuditRecord, SessionRow } from '../store/admin-types.ts';
import type { UserRecord } from '../store/types.ts';

/** What staff see of an account: never the password hash. */
export const presentCustomer = (u: UserRecord): AdminCustomer => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  creditBalance: u.creditBalance,
  owedCredits: Math.max(0, -u.creditBalance),
  totalCreditsPurchased: u.totalCreditsPurchased,
  emailVerified: u.emailVerifiedAt !== null,
  emailVerifiedAt: u.emailVerifiedAt,
  disabledAt: u.disabledAt,
  deletedAt: u.deletedAt,
  createdAt: u.createdAt,
});

export const presentSession = (s: SessionRow, now: string): AdminSession => ({
  // The session id is a bearer secret's handle only together with a signed token; showing
  // its first characters is enough to tell sessions apart.
  id: `${s.id.slice(0, 8)}…`,
  createdAt: s.createdAt,
  expiresAt: s.expiresAt,
  revokedAt: s.revokedAt,
  active: s.revokedAt === null && s.expiresAt > now,
});

export const presentAudit = (a: AuditRecord): AuditEntry => ({ ...a });

export const presentApproval = (a: ApprovalRecord): Approval => ({ ...a });
