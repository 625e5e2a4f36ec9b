import { Router } from 'express';
import {
  ChangeEmailRequestSchema,
  DeleteAccountRequestSchema,
  LinkTokenRequestSchema,
  NotificationSettingsSchema,
} from '@app/shared';
import { actorOf, requireAuth } from '../http/auth.ts';
import { clientOf } from '../http/client-ip.ts';
import { parseWith } from '../http/validate.ts';
import { confirmEmailChange, requestEmailChange } from '../services/accounts/change-email.ts';
import { deleteAccount } from '../services/accounts/delete-account.ts';
import {
  getNotificationSettings,
  setNotificationSettings,
} from '../services/accounts/notification-settings.ts';
import type { AppDeps } from '../app-deps.ts';

/** Account settings: email address, mail preferences, deleting the account. */
export function accountRouter(deps: AppDeps): Router {
  const { ctx, tokens } = deps;
  const router = Router();
  const auth = requireAuth(tokens);

  // Opened from the mailed link, possibly in a browser where nobody (or someone else) is signed in.
  router.post('/confirm-email-change', async (req, res) => {
    const input = parseWith(LinkTokenRequestSchema, req.body);
    res.json(await confirmEmailChange({ ctx, input }));
  });

  router.use(auth, deps.limits.writesPerUser);

  router.post('/change-email', async (req, res) => {
    const input = parseWith(ChangeEmailRequestSchema, req.body);
    res.status(202).json(
      await requestEmailChange({
        ctx,
        actor: actorOf(res),
        input: { ...input, client: clientOf(req) },
      }),
    );
  });

  router.get('/notifications', async (_req, res) => {
    res.json(await getNotificationSettings({ ctx, actor: actorOf(res) }));
  });

  router.put('/notifications', async (req, res) => {
    const input = parseWith(NotificationSettingsSchema, req.body);
    res.json(await setNotificationSettings({ ctx, actor: actorOf(res), input }));
  });

  router.post('/delete', async (req, res) => {
    const input = parseWith(DeleteAccountRequestSchema, req.body);
    await deleteAccount({ ctx, actor: actorOf(res), input: { ...input, client: clientOf(req) } });
    res.status(204).end();
  });

  return router;
}
