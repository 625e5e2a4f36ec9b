import type { RequestHandler } from 'express';
import type { ServiceContext } from '../services/context.ts';
import { assertEmailVerified } from '../services/accounts/require-verified-email.ts';
import { actorOf } from './auth.ts';

/**
 * Buying and generating need a verified address when REQUIRE_VERIFIED_EMAIL is on; mounted
 * before the idempotency layer, so a refusal is not remembered under the caller's key.
 */
export function requireVerifiedEmail(ctx: ServiceContext): RequestHandler {
  return (_req, res, next) => {
    if (!ctx.config.requireVerifiedEmail) {
      next();
      return;
    }
    assertEmailVerified({ ctx, actor: actorOf(res) }).then(() => next(), next);
  };
}
