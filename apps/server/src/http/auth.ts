import type { RequestHandler, Response } from 'express';
import { unauthorized } from '../errors.ts';
import type { Actor } from '../services/context.ts';
import type { TokenService } from '../services/auth/tokens.ts';

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header)?.[1] : undefined;
}

/**
 * The actor of an `Authorization` header: a valid access token whose session is live (not
 * signed out, not revoked by a password change, its account still there), or null.
 */
export async function authenticateHeader(
  tokens: TokenService,
  header: string | undefined,
): Promise<Actor | null> {
  const token = bearerToken(header);
  return token ? tokens.authenticate(token) : null;
}

export function requireAuth(tokens: TokenService): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    authenticateHeader(tokens, header).then(
      (actor) => {
        if (!actor) {
          next(unauthorized(header ? 'Invalid or expired token' : 'Authentication required'));
          return;
        }
        res.locals.actor = actor satisfies Actor;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw unauthorized();
  return actor;
}
