import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 62 does not divide 256, but the tiny modulo bias is irrelevant for test identifiers.
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** Stripe-style identifier such as `pi_3Qx...` (prefix + 24 random characters). */
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(24)}`;
}
