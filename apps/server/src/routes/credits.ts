import { Router } from 'express';
import {
  CalculateCostRequestSchema,
  SpendSummaryQuerySchema,
  TransactionsQuerySchema,
  VideoHistoryQuerySchema,
} from '@app/shared';
import { actorOf, requireAuth } from '../http/auth.ts';
import { parseWith } from '../http/validate.ts';
import { quoteCost } from '../services/credits/calculate-cost.ts';
import { getBalance } from '../services/credits/get-balance.ts';
import { listPackages } from '../services/credits/list-packages.ts';
import { listTransactions } from '../services/credits/list-transactions.ts';
import { exportTransactionsCsv } from '../services/credits/export-transactions.ts';
import { sendCsv } from '../http/send-csv.ts';
import { listVideoHistory } from '../services/credits/list-video-history.ts';
import { getSpendSummary } from '../services/credits/spend-summary.ts';
import type { AppDeps } from '../app-deps.ts';

export function creditsRouter(deps: AppDeps): Router {
  const { ctx, tokens } = deps;
  const router = Router();
  router.use(requireAuth(tokens), deps.limits.writesPerUser);

  router.get('/balance', async (_req, res) => {
    res.json(await getBalance({ ctx, actor: actorOf(res) }));
  });

  router.get('/packages', async (_req, res) => {
    res.json(await listPackages({ ctx }));
  });

  router.get('/transactions', async (req, res) => {
    const query = parseWith(TransactionsQuerySchema, req.query, 'query');
    res.json(await listTransactions({ ctx, actor: actorOf(res), input: query }));
  });

  router.get('/transactions.csv', deps.limits.exportsPerUser, async (req, res) => {
    const query = parseWith(TransactionsQuerySchema, req.query, 'query');
    await sendCsv(res, exportTransactionsCsv({ ctx, actor: actorOf(res), input: query }), ctx.log);
  });

  // A quote changes nothing, so an Idempotency-Key is accepted and ignored: nothing is stored.
  router.post('/calculate-cost', async (req, res) => {
    const input = parseWith(CalculateCostRequestSchema, req.body);
    res.json(await quoteCost({ ctx, actor: actorOf(res), input }));
  });

  router.get('/spend-summary', async (req, res) => {
    const query = parseWith(SpendSummaryQuerySchema, req.query, 'query');
    res.json(await getSpendSummary({ ctx, actor: actorOf(res), input: query }));
  });

  router.get('/video-history', async (req, res) => {
    const query = parseWith(VideoHistoryQuerySchema, req.query, 'query');
    res.json(await listVideoHistory({ ctx, actor: actorOf(res), input: query }));
  });

  return router;
}
