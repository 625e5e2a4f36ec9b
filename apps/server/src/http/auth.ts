import type { RequestHandler, Response } from 'express';
import { unauthorized } from '../errors.ts';
import type { Actor } from '../services/context.ts';
import type { TokenService } from '../services/auth/tokens.ts';

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header)?.[1] : undefined;
}

export function requireAuth(tokens: TokenService): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    const token = bearerToken(header);
    const claims = token ? tokens.verify(token) : null;
    if (!claims) {
      next(unauthorized(header ? 'Invalid or expired token' : 'Authentication required'));
      return;
    }
    res.locals.actor = { userId: claims.userId } satisfies Actor;
    next();
  };
}

export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw unauthorized();
  return actor;
}
