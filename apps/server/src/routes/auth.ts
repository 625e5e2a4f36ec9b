import { Router } from 'express';
import { LoginRequestSchema, SignupRequestSchema } from '@app/shared';
import { actorOf, requireAuth } from '../http/auth.ts';
import { clientIp } from '../http/client-ip.ts';
import { parseWith } from '../http/validate.ts';
import { getCurrentUser } from '../services/auth/get-current-user.ts';
import { login } from '../services/auth/login.ts';
import { signup } from '../services/auth/signup.ts';
import type { AppDeps } from '../app-deps.ts';

export function authRouter(deps: AppDeps): Router {
  const { ctx, tokens, throttle } = deps;
  const router = Router();

  router.post('/signup', async (req, res) => {
    const input = parseWith(SignupRequestSchema, req.body);
    res.status(201).json(await signup({ ctx, tokens, throttle, input, ip: clientIp(req) }));
  });

  router.post('/login', async (req, res) => {
    const input = parseWith(LoginRequestSchema, req.body);
    res.json(await login({ ctx, tokens, throttle, input, ip: clientIp(req) }));
  });

  router.get('/me', requireAuth(tokens), async (_req, res) => {
    res.json(await getCurrentUser({ ctx, actor: actorOf(res) }));
  });

  return router;
}
