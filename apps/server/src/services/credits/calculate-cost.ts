import { calculateCost, type CalculateCostResponse, type CostOptions } from '@app/shared';
import { unauthorized } from '../../errors.ts';
import type { Actor, ServiceContext } from '../context.ts';

export async function quoteCost(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: CostOptions;
}): Promise<CalculateCostResponse> {
  const breakdown = calculateCost(options.input);
  const balance = await options.ctx.store.getBalance({ userId: options.actor.userId });
  if (!balance) throw unauthorized();
  return {
    cost: breakdown.total,
    breakdown,
    creditBalance: balance.creditBalance,
    sufficient: balance.creditBalance >= breakdown.total,
  };
}
