import type { NotificationSettings, NotificationSettingsResponse } from '@app/shared';
import { unauthorized } from '../../errors.ts';
import type { UserRecord } from '../../store/types.ts';
import type { Actor, ServiceContext } from '../context.ts';

const present = (user: UserRecord): NotificationSettingsResponse => ({
  notifications: { refundNotice: user.notifyRefunds, lowBalance: user.notifyLowBalance },
});

export async function getNotificationSettings(options: {
  ctx: ServiceContext;
  actor: Actor;
}): Promise<NotificationSettingsResponse> {
  const user = await options.ctx.store.findUserById({ id: options.actor.userId });
  if (!user || user.deletedAt) throw unauthorized();
  return present(user);
}

export async function setNotificationSettings(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: NotificationSettings;
}): Promise<NotificationSettingsResponse> {
  const { ctx, input } = options;
  const user = await ctx.store.setNotificationSettings({
    userId: options.actor.userId,
    refundNotice: input.refundNotice,
    lowBalance: input.lowBalance,
    now: ctx.now().toISOString(),
  });
  if (!user) throw unauthorized();
  return present(user);
}
