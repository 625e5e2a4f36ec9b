import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  AdminActionResponseSchema,
  AdminCustomerResponseSchema,
  AdminMeResponseSchema,
  AdminPaymentsResponseSchema,
  AdminTransactionsResponseSchema,
  AdminVideosResponseSchema,
  ApprovalsResponseSchema,
  AuditLogResponseSchema,
  CustomerSearchResponseSchema,
  OverviewResponseSchema,
  type AdminActionResponse,
  type AdminCreditRequest,
  type AdminMeResponse,
  type AdminRefundRequest,
  type ApprovalStatus,
  type AuditQuery,
  type ReasonCode,
  type TransactionType,
} from '@app/shared';
import { ApiError, request, send } from '../api/client';

/** The console's API calls. Everything under /api/admin answers 404 to non-staff. */

/** Staff act on what others just changed: console reads are never served from a stale cache. */
export const FRESH = { staleTime: 0, refetchOnMount: 'always' } as const;

export const adminKeys = {
  me: ['admin', 'me'] as const,
  all: ['admin'] as const,
};

/** The signed-in person's console role, or null (the server answers 404 to everyone else). */
async function getAdminMe(): Promise<AdminMeResponse | null> {
  try {
    return await request('/api/admin/me', AdminMeResponseSchema);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export function useAdminMe(enabled = true) {
  return useQuery({
    queryKey: adminKeys.me,
    queryFn: getAdminMe,
    enabled,
    staleTime: 60_000,
    retry: false,
  });
}

export const getOverview = (days: number) =>
  request('/api/admin/overview', OverviewResponseSchema, { query: { days } });

export const searchCustomers = (q: string) =>
  request('/api/admin/customers', CustomerSearchResponseSchema, { query: { q } });

export const getCustomer = (id: string) =>
  request(`/api/admin/customers/${encodeURIComponent(id)}`, AdminCustomerResponseSchema);

export interface LedgerFilters {
  type?: TransactionType;
  from?: string;
  to?: string;
}

export const getCustomerTransactions = (id: string, filters: LedgerFilters, page: number) =>
  request(
    `/api/admin/customers/${encodeURIComponent(id)}/transactions`,
    AdminTransactionsResponseSchema,
    { query: { ...filters, page, pageSize: 20 } },
  );

export async function getCustomerTransactionsCsv(id: string, filters: LedgerFilters) {
  const response = await send(`/api/admin/customers/${encodeURIComponent(id)}/transactions.csv`, {
    query: { ...filters },
    accept: 'text/csv',
  });
  return response.blob();
}

export const getCustomerPayments = (id: string, page: number) =>
  request(`/api/admin/customers/${encodeURIComponent(id)}/payments`, AdminPaymentsResponseSchema, {
    query: { page, pageSize: 20 },
  });

export const getCustomerVideos = (id: string, page: number) =>
  request(`/api/admin/customers/${encodeURIComponent(id)}/videos`, AdminVideosResponseSchema, {
    query: { page, pageSize: 20 },
  });

const action = (path: string, body: object) =>
  request(path, AdminActionResponseSchema, { method: 'POST', body });

export const grantCredits = (id: string, body: AdminCreditRequest) =>
  action(`/api/admin/customers/${encodeURIComponent(id)}/grant`, body);
export const debitCredits = (id: string, body: AdminCreditRequest) =>
  action(`/api/admin/customers/${encodeURIComponent(id)}/debit`, body);
export const refundPayment = (paymentId: string, body: AdminRefundRequest) =>
  action(`/api/admin/payments/${encodeURIComponent(paymentId)}/refund`, body);
export const accountAction = (
  id: string,
  what: 'revoke-sessions' | 'disable' | 'enable',
  body: { reason: ReasonCode; note: string },
) => action(`/api/admin/customers/${encodeURIComponent(id)}/${what}`, body);
export const videoAction = (
  videoId: string,
  what: 'fail' | 'requeue',
  body: { reason: ReasonCode; note: string },
) => action(`/api/admin/videos/${encodeURIComponent(videoId)}/${what}`, body);

export const getApprovals = (status?: ApprovalStatus) =>
  request('/api/admin/approvals', ApprovalsResponseSchema, { query: { status } });
export const decideApproval = (id: string, approve: boolean, note: string) =>
  action(`/api/admin/approvals/${encodeURIComponent(id)}/${approve ? 'approve' : 'reject'}`, {
    note,
  });

export const getAudit = (query: AuditQuery) =>
  request('/api/admin/audit', AuditLogResponseSchema, {
    query: query as Record<string, string | number | undefined>,
  });

/** A console action changes what every console view shows: refetch all of them once it lands. */
function useRefreshConsole() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: adminKeys.all });
}

/** Runs one confirmed console action (grant, debit, refund, account or video action). */
export function useAdminAction<V>(run: (values: V) => Promise<AdminActionResponse>) {
  const refresh = useRefreshConsole();
  return useMutation({ mutationFn: run, onSuccess: () => void refresh() });
}

export function useDecideApproval() {
  const refresh = useRefreshConsole();
  return useMutation({
    mutationFn: ({ id, approve, note }: { id: string; approve: boolean; note: string }) =>
      decideApproval(id, approve, note),
    onSuccess: () => refresh(),
  });
}
