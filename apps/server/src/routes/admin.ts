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
  type AdminMeResponse,
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

/**
 * The support console's API. Reads are open to support and admins; every action is checked
 * against the role in its service and writes its audit entry in its own transaction.
 */
export function adminRouter(deps: AppDeps): Router {
  const { ctx, tokens, stripe, videoQueue } = deps;
  const router = Router();
  router.use(requireStaff(ctx, tokens), deps.limits.writesPerUser);

  router.get('/me', async (_req, res) => {
    const staff = staffOf(res);
    const user = (await ctx.store.findUserById(staff.userId))!;
    const body: AdminMeResponse = {
      user: { id: user.id, email: user.email, name: user.name },
      role: staff.role,
      supportGrantLimit: ctx.config.admin.supportGrantLimitCredits,
      approvalThreshold: ctx.config.admin.approvalThresholdCredits,
    };
    res.json(body);
  });

  router.get('/overview', async (req, res) => {
    const query = parseWith(OverviewQuerySchema, req.query, 'query');
    res.json(await getOverview({ ctx, query }));
  });

  router.get('/customers', async (req, res) => {
    const query = parseWith(CustomerSearchQuerySchema, req.query, 'query');
    res.json(await searchCustomers({ ctx, query }));
  });

  router.get('/customers/:id', async (req, res) => {
    res.json(await getCustomer({ ctx, customerId: req.params.id }));
  });

  // The customer's own lists, through the same services the customer's pages use.
  router.get('/customers/:id/transactions', async (req, res) => {
    const query = parseWith(TransactionsQuerySchema, req.query, 'query');
    await requireCustomer(ctx, req.params.id);
    res.json(await listTransactions({ ctx, actor: { userId: req.params.id }, query }));
  });

  router.get('/customers/:id/transactions.csv', deps.limits.exportsPerUser, async (req, res) => {
    const query = parseWith(TransactionsQuerySchema, req.query, 'query');
    const customerId = String(req.params.id);
    await requireCustomer(ctx, customerId);
    const csv = exportTransactionsCsv({ ctx, actor: { userId: customerId }, query });
    await sendCsv(res, { ...csv, filename: `customer-${customerId}-${csv.filename}` }, ctx.log);
  });

  router.get('/customers/:id/payments', async (req, res) => {
    const query = parseWith(PaginationQuerySchema, req.query, 'query');
    await requireCustomer(ctx, req.params.id);
    res.json(await listPayments({ ctx, actor: { userId: req.params.id }, query }));
  });

  router.get('/customers/:id/videos', async (req, res) => {
    const query = parseWith(VideoHistoryQuerySchema, req.query, 'query');
    res.json(await listCustomerVideos({ ctx, customerId: req.params.id, query }));
  });

  router.post('/customers/:id/grant', async (req, res) => {
    const input = parseWith(AdminCreditRequestSchema, req.body);
    const result = await adjustCredits({
      ctx,
      staff: staffOf(res),
      customerId: req.params.id,
      action: 'grant_credits',
      input,
    });
    res.status(result.status === 'applied' ? 200 : 202).json(result);
  });

  router.post('/customers/:id/debit', async (req, res) => {
    const input = parseWith(AdminCreditRequestSchema, req.body);
    const result = await adjustCredits({
      ctx,
      staff: staffOf(res),
      customerId: req.params.id,
      action: 'debit_credits',
      input,
    });
    res.status(result.status === 'applied' ? 200 : 202).json(result);
  });

  router.post('/customers/:id/revoke-sessions', async (req, res) => {
    const input = parseWith(AdminAccountActionRequestSchema, req.body);
    res.json(await revokeSessions({ ctx, staff: staffOf(res), customerId: req.params.id, input }));
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
          staff: staffOf(res),
          customerId: req.params.id,
          disabled,
          input,
        }),
      );
    });
  }

  router.post('/payments/:id/refund', async (req, res) => {
    const input = parseWith(AdminRefundRequestSchema, req.body);
    const result = await refundPayment({
      ctx,
      staff: staffOf(res),
      stripe,
      paymentId: req.params.id,
      input,
    });
    res.status(result.status === 'applied' ? 200 : 202).json(result);
  });

  router.post('/videos/:id/fail', async (req, res) => {
    const input = parseWith(AdminVideoActionRequestSchema, req.body);
    res.json(
      await failVideo({
        ctx,
        staff: staffOf(res),
        queue: videoQueue,
        videoId: req.params.id,
        input,
      }),
    );
  });

  router.post('/videos/:id/requeue', async (req, res) => {
    const input = parseWith(AdminVideoActionRequestSchema, req.body);
    res.json(
      await requeueVideo({
        ctx,
        staff: staffOf(res),
        queue: videoQueue,
        videoId: req.params.id,
        input,
      }),
    );
  });

  router.get('/approvals', async (req, res) => {
    const query = parseWith(ApprovalsQuerySchema, req.query, 'query');
    res.json(await listApprovals({ ctx, query }));
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
          staff: staffOf(res),
          stripe,
          approvalId: req.params.id,
          approve,
          note,
        }),
      );
    });
  }

  router.get('/audit', async (req, res) => {
    const query = parseWith(AuditQuerySchema, req.query, 'query');
    res.json(await listAuditLog({ ctx, query }));
  });

  return router;
}
