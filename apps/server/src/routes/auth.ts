import { Router } from 'express';
import {
  ChangePasswordRequestSchema,
  ForgotPasswordRequestSchema,
  LinkTokenRequestSchema,
  LoginRequestSchema,
  ResetPasswordRequestSchema,
  SignupRequestSchema,
} from '@app/shared';
import { actorOf, requireAuth } from '../http/auth.ts';
import { clientOf } from '../http/client-ip.ts';
import { parseWith } from '../http/validate.ts';
import { forgotPassword, resetPassword } from '../services/accounts/password-reset.ts';
import { resendVerification, verifyEmail } from '../services/accounts/verify-email.ts';
import { changePassword } from '../services/auth/change-password.ts';
import { getCurrentUser } from '../services/auth/get-current-user.ts';
import { login } from '../services/auth/login.ts';
import { logout, logoutEverywhere } from '../services/auth/logout.ts';
import { signup } from '../services/auth/signup.ts';
import type { AppDeps } from '../app-deps.ts';

export function authRouter(deps: AppDeps): Router {
  const { ctx, tokens } = deps;
  const router = Router();
  const auth = requireAuth(tokens);

  router.post('/signup', async (req, res) => {
    const input = parseWith(SignupRequestSchema, req.body);
    res.status(201).json(await signup({ ctx, input: { ...input, client: clientOf(req) } }));
  });

  router.post('/login', async (req, res) => {
    const input = parseWith(LoginRequestSchema, req.body);
    res.json(await login({ ctx, input: { ...input, client: clientOf(req) } }));
  });

  router.get('/me', auth, async (_req, res) => {
    res.json(await getCurrentUser({ ctx, actor: actorOf(res) }));
  });

  router.post('/logout', auth, async (_req, res) => {
    await logout({ ctx, actor: actorOf(res) });
    res.status(204).end();
  });

  router.post('/logout-all', auth, async (_req, res) => {
    await logoutEverywhere({ ctx, actor: actorOf(res) });
    res.status(204).end();
  });

  router.post('/change-password', auth, async (req, res) => {
    const input = parseWith(ChangePasswordRequestSchema, req.body);
    res.json(
      await changePassword({
        ctx,
        actor: actorOf(res),
        input: { ...input, client: clientOf(req) },
      }),
    );
  });

  // The link's token names the account; whoever is signed in in this browser does not matter.
  router.post('/verify-email', async (req, res) => {
    const input = parseWith(LinkTokenRequestSchema, req.body);
    res.json(await verifyEmail({ ctx, input }));
  });

  router.post('/resend-verification', auth, async (req, res) => {
    res
      .status(202)
      .json(
        await resendVerification({ ctx, actor: actorOf(res), input: { client: clientOf(req) } }),
      );
  });

  router.post('/forgot-password', async (req, res) => {
    const input = parseWith(ForgotPasswordRequestSchema, req.body);
    res.status(202).json(await forgotPassword({ ctx, input: { ...input, client: clientOf(req) } }));
  });

  router.post('/reset-password', async (req, res) => {
    const input = parseWith(ResetPasswordRequestSchema, req.body);
    await resetPassword({ ctx, input: { ...input, client: clientOf(req) } });
    res.status(204).end();
  });

  return router;
}
