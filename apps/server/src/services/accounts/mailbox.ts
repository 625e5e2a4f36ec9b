import { createHash } from 'node:crypto';

const DOTLESS_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox an address delivers to, for the one-bonus-per-mailbox rule: lower-case, the
 * `+tag` dropped, and for Gmail the dots ignored and googlemail.com folded into gmail.com.
 * Other providers may treat dots as significant, so they keep theirs.
 */
export function normaliseMailbox(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return email.trim().toLowerCase();
  let local = email.slice(0, at).trim().toLowerCase();
  let domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase();
  const plus = local.indexOf('+');
  if (plus >= 0) local = local.slice(0, plus);
  if (DOTLESS_DOMAINS.has(domain)) {
    local = local.replaceAll('.', '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}

/** The mailbox as stored: a hash, so the table is not a list of addresses after deletions. */
export const mailboxHash = (email: string): string =>
  createHash('sha256').update(normaliseMailbox(email), 'utf8').digest('hex');
