import { LOW_BALANCE_THRESHOLD, type BalanceResponse } from '@app/shared';
import { unauthorized } from '../../errors.ts';
import type { Actor, ServiceContext } from '../context.ts';

export async function getBalance(options: {
  ctx: ServiceContext;
  actor: Actor;
}): Promise<BalanceResponse> {
  const balance = await options.ctx.store.getBalance({ userId: options.actor.userId });
  if (!balance) throw unauthorized();
  return {
    ...balance,
    owesCredits: balance.creditBalance < 0,
    lowBalance: balance.creditBalance < LOW_BALANCE_THRESHOLD,
  };
}
