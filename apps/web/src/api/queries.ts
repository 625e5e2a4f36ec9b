import {
  keepPreviousData,
  useQuery,
  type QueryClient,
  type UseQueryOptions,
} from '@tanstack/react-query';
import type { BalanceResponse, VideoStatus } from '@app/shared';
import * as api from './client';
import type { TransactionFilters } from './client';

/** All server state goes through TanStack Query; these keys are the only cache there is. */
export const queryKeys = {
  config: ['config'] as const,
  me: ['me'] as const,
  balance: ['balance'] as const,
  packages: ['packages'] as const,
  transactions: ['transactions'] as const,
  transactionsPage: (filters: TransactionFilters, page: number, pageSize: number) =>
    ['transactions', 'page', filters, page, pageSize] as const,
  transactionsRecent: ['transactions', 'recent'] as const,
  transactionsTotals: ['transactions', 'totals'] as const,
  payments: ['payments'] as const,
  paymentsPage: (page: number, pageSize: number) => ['payments', 'page', page, pageSize] as const,
  videos: ['videos'] as const,
  videosPage: (status: VideoStatus | undefined, page: number, pageSize: number) =>
    ['videos', 'page', status ?? 'all', page, pageSize] as const,
  video: (id: string) => ['video', id] as const,
};

export function useConfig() {
  return useQuery({ queryKey: queryKeys.config, queryFn: api.getConfig, staleTime: Infinity });
}

export function useBalance(
  options: Pick<UseQueryOptions<BalanceResponse>, 'refetchInterval'> = {},
) {
  return useQuery({
    queryKey: queryKeys.balance,
    queryFn: api.getBalance,
    staleTime: 10_000,
    ...options,
  });
}

export function usePackages() {
  return useQuery({ queryKey: queryKeys.packages, queryFn: api.getPackages, staleTime: 300_000 });
}

export function useTransactionsPage(filters: TransactionFilters, page: number, pageSize: number) {
  return useQuery({
    queryKey: queryKeys.transactionsPage(filters, page, pageSize),
    queryFn: () => api.getTransactions({ ...filters, page, pageSize }),
    placeholderData: keepPreviousData,
  });
}

export function usePaymentsPage(page: number, pageSize: number) {
  return useQuery({
    queryKey: queryKeys.paymentsPage(page, pageSize),
    queryFn: () => api.getPaymentHistory({ page, pageSize }),
    placeholderData: keepPreviousData,
  });
}

export function useVideosPage(status: VideoStatus | undefined, page: number, pageSize: number) {
  return useQuery({
    queryKey: queryKeys.videosPage(status, page, pageSize),
    queryFn: () => api.getVideoHistory({ page, pageSize, status }),
    placeholderData: keepPreviousData,
    // Renders in flight move on their own: keep the list fresh while any is active.
    refetchInterval: (query) =>
      query.state.data?.videos.some((v) => v.status === 'queued' || v.status === 'processing')
        ? 3000
        : false,
  });
}

/** After anything that moves credits: every view of the ledger is refreshed. */
export function invalidateAccount(queryClient: QueryClient): Promise<void> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: queryKeys.balance }),
    queryClient.invalidateQueries({ queryKey: queryKeys.me }),
    queryClient.invalidateQueries({ queryKey: queryKeys.transactions }),
    queryClient.invalidateQueries({ queryKey: queryKeys.payments }),
    queryClient.invalidateQueries({ queryKey: queryKeys.videos }),
  ]).then(() => undefined);
}

/** Shows a balance the server just told us about before the refetch lands. */
export function setKnownBalance(queryClient: QueryClient, creditBalance: number): void {
  queryClient.setQueryData<BalanceResponse>(queryKeys.balance, (old) =>
    old ? { ...old, creditBalance } : old,
  );
}
