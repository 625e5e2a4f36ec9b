import type { AdminRole } from '@app/shared';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  creditBalance: number;
  totalCreditsPurchased: number;
  createdAt: string;
  emailVerifiedAt: string | null;
  /** Set when the account was deleted; its personal data is gone, the row stays for the ledger. */
  deletedAt: string | null;
  notifyRefunds: boolean;
  notifyLowBalance: boolean;
  /** Console access: `support` and `admin` see `/api/admin`; see admin-types.ts. */
  role: AdminRole;
  /** Set while an admin has disabled the account: no sign-in, no spending, no buying. */
  disabledAt: string | null;
}

export interface NewSession {
  id: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
}

export interface CreateUserInput {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  signupBonus: number;
  now: string;
}

export interface FindUserByEmailInput {
  email: string;
}

export interface FindUserByIdInput {
  id: string;
}

export interface IsSessionActiveInput {
  sessionId: string;
  userId: string;
}

export interface RevokeSessionInput {
  id: string;
  userId: string;
  now: string;
}

export interface RevokeUserSessionsInput {
  userId: string;
  now: string;
}

export interface ChangePasswordInput {
  userId: string;
  passwordHash: string;
  now: string;
  session: NewSession;
}

export interface PruneSessionsInput {
  expiredBefore: string;
  limit: number;
}

/** Users (sign-up without the account layer, look-ups) and their sessions. */
export interface UsersSessionsStore {
  createUser(input: CreateUserInput): Promise<UserRecord | 'email_taken'>;
  findUserByEmail(input: FindUserByEmailInput): Promise<UserRecord | null>;
  findUserById(input: FindUserByIdInput): Promise<UserRecord | null>;

  /** One row per access token (its `sid` claim); see migration 004. */
  createSession(input: NewSession): Promise<void>;
  /** True while the session exists, is not revoked and its user still exists. */
  isSessionActive(input: IsSessionActiveInput): Promise<boolean>;
  /** Revokes one of the user's sessions; false if it was not theirs or already revoked. */
  revokeSession(input: RevokeSessionInput): Promise<boolean>;
  /** Revokes every live session of the user; returns how many. */
  revokeUserSessions(input: RevokeUserSessionsInput): Promise<number>;
  /**
   * Sets the new hash, revokes every session of the user and opens `session`, in one
   * transaction: no old token outlives the change, and the caller's browser stays signed in.
   */
  changePassword(input: ChangePasswordInput): Promise<UserRecord | null>;
  /** Deletes up to `limit` sessions that expired before `expiredBefore`; returns how many. */
  pruneSessions(input: PruneSessionsInput): Promise<number>;
}
