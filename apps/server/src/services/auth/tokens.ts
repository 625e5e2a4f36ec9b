import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '../../config.ts';

export interface TokenClaims {
  userId: string;
  /** The server-side session an access token belongs to; capability tokens have none. */
  sessionId?: string;
}

/** Whether a session row still allows its token (exists, not revoked, user still there). */
export type SessionCheck = (sessionId: string, userId: string) => Promise<boolean>;

/** The `kid` of a token's header: null when it has none, undefined when it is unreadable. */
function keyIdOf(token: string): string | null | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString());
    if (typeof header !== 'object' || header === null) return undefined;
    const kid: unknown = (header as { kid?: unknown }).kid;
    if (kid === undefined) return null;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * HS256 only, exp/iss/aud required. New tokens are signed with the newest key and carry its
 * `kid`; a token is verified with the key its `kid` names (no kid: the JWT_SECRET key), so
 * rotation keeps live sessions working until their key is retired from the configuration.
 * KeyObjects are built once: jsonwebtoken verifies far faster with them than with a string
 * secret it would re-import on every call.
 */
export class TokenService {
  private readonly signing: { kid: string | null; key: KeyObject };
  private readonly byKid = new Map<string | null, KeyObject>();

  constructor(
    private readonly cfg: Config['jwt'],
    private readonly sessionActive?: SessionCheck,
  ) {
    for (const k of cfg.keys) this.byKid.set(k.kid, createSecretKey(Buffer.from(k.secret, 'utf8')));
    const first = cfg.keys[0];
    if (!first) throw new Error('no JWT signing key configured');
    this.signing = { kid: first.kid, key: this.byKid.get(first.kid)! };
  }

  issue(
    userId: string,
    now: Date,
    ttlSeconds = this.cfg.ttlSeconds,
    audience = this.cfg.audience,
    sessionId?: string,
  ) {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + ttlSeconds;
    const claims = sessionId
      ? { sub: userId, sid: sessionId, iat, exp }
      : { sub: userId, iat, exp };
    const token = jwt.sign(claims, this.signing.key, {
      algorithm: 'HS256',
      issuer: this.cfg.issuer,
      audience,
      ...(this.signing.kid === null ? {} : { keyid: this.signing.kid }),
    });
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** Returns the claims, or null for any missing, malformed, expired or forged token. */
  verify(token: string, audience = this.cfg.audience): TokenClaims | null {
    const kid = keyIdOf(token);
    const key = kid === undefined ? undefined : this.byKid.get(kid);
    if (!key) return null;
    try {
      const payload = jwt.verify(token, key, {
        algorithms: ['HS256'],
        issuer: this.cfg.issuer,
        audience,
        complete: false,
      });
      if (typeof payload !== 'object' || payload === null) return null;
      if (
        typeof payload.exp !== 'number' ||
        typeof payload.sub !== 'string' ||
        payload.sub === ''
      ) {
        return null;
      }
      const sid: unknown = payload.sid;
      if (sid !== undefined && (typeof sid !== 'string' || sid === '')) return null;
      return sid ? { userId: payload.sub, sessionId: sid } : { userId: payload.sub };
    } catch {
      return null;
    }
  }

  /**
   * An access token: valid signature and claims, AND a live session row. A signature alone
   * is not enough, or a stolen token would outlive sign-out, a password change, the account
   * itself, or be replayed against another deployment's database that shares the secret.
   */
  async authenticate(token: string): Promise<{ userId: string; sessionId: string } | null> {
    const claims = this.verify(token);
    if (!claims?.sessionId || !this.sessionActive) return null;
    const active = await this.sessionActive(claims.sessionId, claims.userId);
    return active ? { userId: claims.userId, sessionId: claims.sessionId } : null;
  }
}
