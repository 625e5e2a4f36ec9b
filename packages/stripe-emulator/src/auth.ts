import type { IncomingMessage } from 'node:http';
import type { KeyKind } from './context.ts';
import { authenticationError } from './errors.ts';

export interface KeyConfig {
  secretKey?: string;
  publishableKey?: string;
}

const LIVE_KEY = /^(sk|pk|rk)_live_/;

export function isLiveKey(key: string): boolean {
  return LIVE_KEY.test(key);
}

function redact(key: string): string {
  if (key.length <= 12) return `${key.slice(0, 3)}****`;
  return `${key.slice(0, 8)}${'*'.repeat(Math.max(4, key.length - 12))}${key.slice(-4)}`;
}

/** The API key from `Authorization: Bearer`, Basic auth (key as username), or Stripe.js' `key`. */
export function extractKey(req: IncomingMessage, keyParam: string | undefined): string | null {
  const header = req.headers.authorization;
  if (header) {
    const [scheme, value = ''] = header.trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer') return value;
    if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon === -1 ? decoded : decoded.slice(0, colon);
    }
    return value || scheme || null;
  }
  return keyParam ?? null;
}

export function authenticate(key: string | null, config: KeyConfig): KeyKind {
  if (!key) {
    throw authenticationError(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  if (isLiveKey(key)) {
    throw authenticationError(
      'The Stripe emulator refuses live-mode API keys. Use a test-mode key (sk_test_... / pk_test_...).',
    );
  }
  const secret = config.secretKey;
  if (secret === undefined ? key.startsWith('sk_test_') : key === secret) return 'secret';
  const publishable = config.publishableKey;
  if (publishable === undefined ? key.startsWith('pk_test_') : key === publishable) {
    return 'publishable';
  }
  throw authenticationError(`Invalid API Key provided: ${redact(key)}`);
}
