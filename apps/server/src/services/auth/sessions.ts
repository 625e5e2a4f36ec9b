import { newId } from '../../ids.ts';
import type { NewSession } from '../../store/types.ts';
import type { ServiceContext } from '../context.ts';
import type { TokenService } from './tokens.ts';

/** A new session row and the access token that names it (not yet stored). */
export function newSession(tokens: TokenService, userId: string, now: Date) {
  const id = newId();
  const issued = tokens.issue(userId, now, undefined, undefined, id);
  const session: NewSession = {
    id,
    userId,
    createdAt: now.toISOString(),
    expiresAt: issued.expiresAt,
  };
  return { session, token: issued.token, expiresAt: issued.expiresAt };
}

/** Stores a session for the user and returns its access token. */
export async function startSession(options: {
  ctx: ServiceContext;
  input: { userId: string };
}): Promise<{ token: string; expiresAt: string }> {
  const { ctx, input } = options;
  const { session, token, expiresAt } = newSession(ctx.tokens, input.userId, ctx.now());
  await ctx.store.createSession(session);
  return { token, expiresAt };
}
