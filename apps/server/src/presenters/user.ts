import type { User } from '@app/shared';
import type { UserRecord } from '../store/types.ts';

/** Whitelists the fields a client may see: never the password hash. */
export const presentUser = (u: UserRecord): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
  creditBalance: u.creditBalance,
  totalCreditsPurchased: u.totalCreditsPurchased,
  emailVerified: u.emailVerifiedAt !== null,
  createdAt: u.createdAt,
});
