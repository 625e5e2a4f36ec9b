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

/** The 401 of a request without a usable access token, worded by whether it sent one. */
const refused = (header: string | undefined) =>
  unauthorized(header ? 'Invalid or expired token' : 'Authentication required');

export function requireAuth(tokens: TokenService): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    authenticateHeader(tokens, header).then(
      (actor) => {
        if (!actor) {
          next(refused(header));
          return;
        }
        res.locals.actor = actor satisfies Actor;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

/**
 * For the generate route alone: the access token's signature and claims are checked here,
 * its session by the charge itself (`Actor.sessionCheckedBy`), in the same round trip as the
 * debit. Until then the actor is only trusted for its user id (rate limits, the
 * Idempotency-Key's owner); a session found ended makes the charge write nothing and answer
 * 401 as `requireAuth` would.
 */
export function requireSignedAccessToken(tokens: TokenService): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    const token = bearerToken(header);
    const claims = token ? tokens.verify(token) : null;
    if (!claims?.sessionId) {
      next(refused(header));
      return;
    }
    res.locals.actor = {
      userId: claims.userId,
      sessionId: claims.sessionId,
      sessionCheckedBy: 'charge',
    } satisfies Actor;
    next();
  };
}

/** For middleware that keys something by the user id (limits, key ownership) and no more. */
export const userIdOnly = { sessionCheckedByCharge: 'accepted' } as const;

/** For the generate handler, which hands the actor to the charge that checks its session. */
export const sessionForTheCharge = userIdOnly;

/**
 * The request's actor. One whose session is still to be checked by the charge is refused
 * unless the caller says it only needs the user id or hands the actor to that charge.
 */
export function actorOf(res: Response, o: { sessionCheckedByCharge?: 'accepted' } = {}): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw unauthorized();
  if (actor.sessionCheckedBy && o.sessionCheckedByCharge !== 'accepted') throw unauthorized();
  return actor;
}
