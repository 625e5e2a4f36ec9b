import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '../../config.ts';

export interface TokenClaims {
  userId: string;
}

/**
 * HS256 only, exp/iss/aud required. A KeyObject is built once: jsonwebtoken verifies far
 * faster with it than with a string secret it would re-import on every call.
 */
export class TokenService {
  private readonly key: KeyObject;

  constructor(private readonly cfg: Config['jwt']) {
    this.key = createSecretKey(Buffer.from(cfg.secret, 'utf8'));
  }

  issue(userId: string, now: Date, ttlSeconds = this.cfg.ttlSeconds, audience = this.cfg.audience) {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + ttlSeconds;
    const token = jwt.sign({ sub: userId, iat, exp }, this.key, {
      algorithm: 'HS256',
      issuer: this.cfg.issuer,
      audience,
    });
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** Returns the claims, or null for any missing, malformed, expired or forged token. */
  verify(token: string, audience = this.cfg.audience): TokenClaims | null {
    try {
      const payload = jwt.verify(token, this.key, {
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
      return { userId: payload.sub };
    } catch {
      return null;
    }
  }
}
