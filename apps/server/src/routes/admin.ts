import { Router } from 'express';
import {
  AdminAccountActionRequestSchema,
  AdminApprovalDecisionSchema,
  AdminCreditRequestSchema,
  AdminRefundRequestSchema,
  AdminVideoActionRequestSchema,
  ApprovalsQuerySchema,
  AuditQuerySchema,
  CustomerSearchQuerySchema,
  OverviewQuerySchema,
  PaginationQuerySchema,
  TransactionsQuerySchema,
  VideoHistoryQuerySchema,
} from '@app/shared';
import type { AppDeps } from '../app-deps.ts';
import { requireStaff, staffOf } from '../http/admin-auth.ts';
import { sendCsv } from '../http/send-csv.ts';
import { parseWith } from '../http/validate.ts';
import { setAccountDisabled, revokeSessions } from '../services/admin/account-actions.ts';
import { adjustCredits } from '../services/admin/adjust-credits.ts';
import { decideApproval, listApprovals } from '../services/admin/approvals.ts';
import { listAuditLog } from '../services/admin/audit-log.ts';
import {
  getCustomer,
  listCustomerVideos,
  requireCustomer,
  searchCustomers,
} from '../services/admin/customers.ts';
import { getOverview } from '../services/admin/overview.ts';
import { refundPayment } from '../services/admin/refund-payment.ts';
import { failVideo, requeueVideo } from '../services/admin/video-actions.ts';
import { exportTransactionsCsv } from '../services/credits/export-transactions.ts';
import { listTransactions } from '../services/credits/list-transactions.ts';
import { listPayments } from '../services/payments/list-payments.ts';
import { getStaffProfile } from '../services/admin/staff.ts';

/**
 * The support console's API. Reads are open to support and admins; every action is checked
 * against the role in its service and writes its audit entry in its own transaction.
 */
export function adminRouter(deps: AppDeps): Router {
  const { ctx, tokens } = deps;
  const router = Router();
  router.use(requireStaff(ctx, tokens), deps.limits.writesPerUser);

  router.get('/me', async (_req, res) => {
    res.json(await getStaffProfile({ ctx, actor: staffOf(res) }));
  });

  router.get('/overview', async (req, res) => {
    const query = parseWith(OverviewQuerySchema, req.query, 'query');
    res.json(await getOverview({ ctx, input: query }));
  });

  router.get('/customers', async (req, res) => {
    const query = parseWith(CustomerSearchQuerySchema, req.query, 'query');
    res.json(await searchCustomers({ ctx, input: query }));
  });

  router.get('/customers/:id', async (req, res) => {
    res.json(await getCustomer({ ctx, input: { customerId: req.params.id } }));
  });

  // The customer's own lists, through the same services the customer's pages use.
  router.get('/customers/:id/transactions', async (req, res) => {
    const query = parseWith(TransactionsQuerySchema, req.query, 'query');
    await requireCustomer({ ctx, input: { customerId: req.params.id } });
    res.json(await listTransactions({ ctx, actor: { userId: req.params.id }, input: query }));
  });

  router.get('/customers/:id/transactions.csv', deps.limits.exportsPerUser, async (req, res) => {
    const query = parseWith(TransactionsQuerySchema, req.query, 'query');
    const customerId = String(req.params.id);
    await requireCustomer({ ctx, input: { customerId } });
    const csv = exportTransactionsCsv({ ctx, actor: { userId: customerId }, input: query });
    await sendCsv(res, { ...csv, filename: `customer-${customerId}-${csv.filename}` }, ctx.log);
  });

  router.get('/customers/:id/payments', async (req, res) => {
    const query = parseWith(PaginationQuerySchema, req.query, 'query');
    await requireCustomer({ ctx, input: { customerId: req.params.id } });
    res.json(await listPayments({ ctx, actor: { userId: req.params.id }, input: query }));
  });

  router.get('/customers/:id/videos', async (req, res) => {
    const query = parseWith(VideoHistoryQuerySchema, req.query, 'query');
    res.json(await listCustomerVideos({ ctx, input: { ...query, customerId: req.params.id } }));
  });

  router.post('/customers/:id/grant', async (req, res) => {
    const input = parseWith(AdminCreditRequestSchema, req.body);
    const result = await adjustCredits({
      ctx,
      actor: staffOf(res),
      input: { ...input, customerId: req.params.id, action: 'grant_credits' },
    });
    res.status(result.status === 'applied' ? 200 : 202).json(result);
  });

  router.post('/customers/:id/debit', async (req, res) => {
    const input = parseWith(AdminCreditRequestSchema, req.body);
    const result = await adjustCredits({
      ctx,
      actor: staffOf(res),
      input: { ...input, customerId: req.params.id, action: 'debit_credits' },
    });
    res.status(result.status === 'applied' ? 200 : 202).json(result);
  });

  router.post('/customers/:id/revoke-sessions', async (req, res) => {
    const input = parseWith(AdminAccountActionRequestSchema, req.body);
    res.json(
      await revokeSessions({
        ctx,
        actor: staffOf(res),
        input: { ...input, customerId: req.params.id },
      }),
    );
  });

  for (const [path, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    router.post(`/customers/:id/${path}`, async (req, res) => {
      const input = parseWith(AdminAccountActionRequestSchema, req.body);
      res.json(
        await setAccountDisabled({
          ctx,
          actor: staffOf(res),
          input: { ...input, customerId: req.params.id, disabled },
        }),
      );
    });
  }

  router.post('/payments/:id/refund', async (req, res) => {
    const input = parseWith(AdminRefundRequestSchema, req.body);
    const result = await refundPayment({
      ctx,
      actor: staffOf(res),
      input: { ...input, paymentId: req.params.id },
    });
    res.status(result.status === 'applied' ? 200 : 202).json(result);
  });

  router.post('/videos/:id/fail', async (req, res) => {
    const input = parseWith(AdminVideoActionRequestSchema, req.body);
    res.json(
      await failVideo({ ctx, actor: staffOf(res), input: { ...input, videoId: req.params.id } }),
    );
  });

  router.post('/videos/:id/requeue', async (req, res) => {
    const input = parseWith(AdminVideoActionRequestSchema, req.body);
    res.json(
      await requeueVideo({
        ctx,
        actor: staffOf(res),
        input: { ...input, videoId: req.params.id },
      }),
    );
  });

  router.get('/approvals', async (req, res) => {
    const query = parseWith(ApprovalsQuerySchema, req.query, 'query');
    res.json(await listApprovals({ ctx, input: query }));
  });

  for (const [path, approve] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    router.post(`/approvals/:id/${path}`, async (req, res) => {
      const { note } = parseWith(AdminApprovalDecisionSchema, req.body ?? {});
      res.json(
        await decideApproval({
          ctx,
          actor: staffOf(res),
          input: { approvalId: req.params.id, approve, note },
        }),
      );
    });
  }

  router.get('/audit', async (req, res) => {
    const query = parseWith(AuditQuerySchema, req.query, 'query');
    res.json(await listAuditLog({ ctx, input: query }));
  });

  return router;
}
