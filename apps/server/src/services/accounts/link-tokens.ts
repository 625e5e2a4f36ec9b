import { createHash, randomBytes } from 'node:crypto';

/** How long each mailed link works. */
export const LINK_TTL_MS = {
  verify_email: 24 * 3600 * 1000,
  reset_password: 30 * 60 * 1000,
  change_email: 24 * 3600 * 1000,
} as const;

/** Only this goes to the database: a leaked table does not hold a single usable link. */
export const hashLinkToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

/** 256 random bits, URL-safe: the value mailed in the link, and its hash to store. */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashLinkToken(token) };
}

export const expiresIn = (now: Date, ms: number): string =>
  new Date(now.getTime() + ms).toISOString();
