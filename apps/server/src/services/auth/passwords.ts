import bcrypt from 'bcrypt';
import { createHash } from 'node:crypto';

/**
 * bcrypt reads at most 72 bytes and silently ignores the rest, so two long passwords sharing
 * a prefix would collide. We pre-hash with SHA-256 (base64, 44 bytes) so every byte counts;
 * the base64 form also avoids NUL bytes, which bcrypt treats as the end of the string.
 */
function prehash(password: string): string {
  return createHash('sha256').update(password.normalize('NFC'), 'utf8').digest('base64');
}

/** Async bcrypt runs on the libuv pool, so hashing never blocks the event loop. */
export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(prehash(password), cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(prehash(password), hash);
}

const dummyHashes = new Map<number, Promise<string>>();
/**
 * Compared against when the account does not exist, so timing does not reveal it. One per
 * cost: a hash made at another cost would make unknown accounts answer at another speed.
 */
export function dummyPasswordHash(cost: number): Promise<string> {
  let hash = dummyHashes.get(cost);
  if (!hash) {
    hash = bcrypt.hash('no-such-account', cost);
    dummyHashes.set(cost, hash);
  }
  return hash;
}
