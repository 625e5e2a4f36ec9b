import express, { Router, type Express } from 'express';
import {
  ConfirmPaymentRequestSchema,
  CreatePaymentIntentRequestSchema,
  PaginationQuerySchema,
} from '@app/shared';
import { actorOf, requireAuth } from '../http/auth.ts';
import { idempotency } from '../http/idempotency.ts';
import { perUserLimit } from '../http/rate-limit.ts';
import { parseWith } from '../http/validate.ts';
import { confirmPayment } from '../services/payments/confirm-payment.ts';
import { createPaymentIntent } from '../services/payments/create-intent.ts';
import { handleWebhook } from '../services/payments/handle-webhook.ts';
import { settlementLabel } from '../services/payments/settlement.ts';
import { getPayment, listPayments } from '../services/payments/list-payments.ts';
import { getReceipt } from '../services/payments/get-receipt.ts';
import { cancelPendingPayment, resumePayment } from '../services/payments/pending-payment.ts';
import { requireVerifiedEmail } from '../http/verified-email.ts';
import type { AppDeps } from '../app-deps.ts';

/** Stripe signs the exact bytes it sent, so this route is mounted before the JSON parser. */
export function mountStripeWebhook(app: Express, deps: AppDeps): void {
  app.post(
    '/api/payments/webhook',
    deps.limits.webhookPerIp,
    express.raw({ type: () => true, limit: '1mb' }),
    async (req, res) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const result = await handleWebhook({
        ctx: deps.ctx,
        input: { rawBody, signature: req.get('Stripe-Signature') },
      });
      const outcome = result.kind === 'settled' ? settlementLabel(result.outcomes) : result.kind;
      res.json({ received: true, outcome });
    },
  );
}

export function paymentsRouter(deps: AppDeps): Router {
  const { ctx, tokens } = deps;
  const limits = ctx.config.rateLimits;
  const router = Router();
  router.use(requireAuth(tokens), deps.limits.writesPerUser);
  const quota = deps.limits.idempotencyKeys;
  const limit = (name: string) =>
    perUserLimit({
      name,
      perMinute: limits.paymentsPerMinute,
      disabled: limits.disabled,
      make: deps.rateLimiter,
    });

  router.post(
    '/create-intent',
    limit('create-intent'),
    requireVerifiedEmail(ctx),
    idempotency(ctx.store, 'payments.create-intent', ctx.now, { quota }),
    async (req, res) => {
      const input = parseWith(CreatePaymentIntentRequestSchema, req.body);
      res.status(201).json(await createPaymentIntent({ ctx, actor: actorOf(res), input }));
    },
  );

  router.post(
    '/confirm',
    limit('confirm'),
    idempotency(ctx.store, 'payments.confirm', ctx.now, { quota }),
    async (req, res) => {
      const input = parseWith(ConfirmPaymentRequestSchema, req.body);
      res.json(await confirmPayment({ ctx, actor: actorOf(res), input }));
    },
  );

  // From the payment history: a 3-D Secure payment left waiting is finished or abandoned.
  router.post(
    '/:paymentId/resume',
    limit('resume'),
    idempotency(ctx.store, 'payments.resume', ctx.now, { quota }),
    async (req, res) => {
      const input = { paymentId: String(req.params.paymentId) };
      res.json(await resumePayment({ ctx, actor: actorOf(res), input }));
    },
  );

  router.post(
    '/:paymentId/cancel',
    limit('cancel'),
    idempotency(ctx.store, 'payments.cancel', ctx.now, { quota }),
    async (req, res) => {
      const input = { paymentId: String(req.params.paymentId) };
      res.json(await cancelPendingPayment({ ctx, actor: actorOf(res), input }));
    },
  );

  router.get('/history', async (req, res) => {
    const query = parseWith(PaginationQuerySchema, req.query, 'query');
    res.json(await listPayments({ ctx, actor: actorOf(res), input: query }));
  });

  router.get('/:paymentId/receipt', async (req, res) => {
    const input = { paymentId: req.params.paymentId };
    res.json(await getReceipt({ ctx, actor: actorOf(res), input }));
  });

  router.get('/:paymentId', async (req, res) => {
    const input = { paymentId: req.params.paymentId };
    res.json(await getPayment({ ctx, actor: actorOf(res), input }));
  });

  return router;
}
