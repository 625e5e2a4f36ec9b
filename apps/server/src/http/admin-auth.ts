import type { RequestHandler, Response } from 'express';
import { notFoundHandler } from './error-handler.ts';
import { authenticateHeader } from './auth.ts';
import type { TokenService } from '../services/auth/tokens.ts';
import type { ServiceContext } from '../services/context.ts';
import { findStaff, type StaffActor } from '../services/admin/staff.ts';

/**
 * The console exists only for staff: anyone else (signed out, a bad token, a user, a
 * disabled account) gets exactly the answer of a path that does not exist, so probing
 * `/api/admin` tells an outsider nothing. The role is read on every request, so a demotion
 * takes effect at once.
 */
export function requireStaff(ctx: ServiceContext, tokens: TokenService): RequestHandler {
  return (req, res, next) => {
    authenticateHeader(tokens, req.headers.authorization)
      .then(async (actor) => {
        const staff = actor
          ? await findStaff({
              ctx,
              actor,
              input: { requestId: typeof req.id === 'string' ? req.id : null },
            })
          : null;
        if (!staff) {
          notFoundHandler(req, res, next);
          return;
        }
        res.locals.actor = staff;
        res.locals.staff = staff;
        next();
      })
      .catch((err: unknown) => next(err));
  };
}

export function staffOf(res: Response): StaffActor {
  const staff = res.locals.staff as StaffActor | undefined;
  if (!staff) throw new Error('requireStaff must run first');
  return staff;
}
