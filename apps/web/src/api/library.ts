import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  SpendSummaryResponseSchema,
  VideoHistoryResponseSchema,
  type VideoStatus,
} from '@app/shared';
import { request, send } from './client';

/** The video library and the spending summary: their requests and cache keys. */

export const libraryKeys = {
  // Under 'videos' and 'transactions', so invalidateAccount refreshes them with the rest.
  videos: (filter: { status?: VideoStatus; q?: string }, page: number, pageSize: number) =>
    ['videos', 'library', filter.status ?? 'all', filter.q ?? '', page, pageSize] as const,
  spend: (days: number) => ['transactions', 'spend-summary', days] as const,
};

/** Minutes east of UTC, so the server's days are this browser's calendar days. */
const tzOffsetMinutes = () => -new Date().getTimezoneOffset();

export const getSpendSummary = (days: number) =>
  request('/api/credits/spend-summary', SpendSummaryResponseSchema, {
    query: { days, tzOffsetMinutes: tzOffsetMinutes() },
  });

export const getVideoLibrary = (params: {
  page: number;
  pageSize: number;
  status?: VideoStatus;
  q?: string;
}) => request('/api/credits/video-history', VideoHistoryResponseSchema, { query: { ...params } });

export async function deleteVideo(id: string): Promise<void> {
  await send(`/api/video/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function useSpendSummary(days: number) {
  return useQuery({
    queryKey: libraryKeys.spend(days),
    queryFn: () => getSpendSummary(days),
    placeholderData: keepPreviousData,
  });
}

export function useVideoLibrary(
  filter: { status?: VideoStatus; q?: string },
  page: number,
  pageSize: number,
) {
  return useQuery({
    queryKey: libraryKeys.videos(filter, page, pageSize),
    queryFn: () => getVideoLibrary({ page, pageSize, ...filter }),
    placeholderData: keepPreviousData,
    // Renders in flight move on their own: keep the list fresh while any is active.
    refetchInterval: (query) =>
      query.state.data?.videos.some((v) => v.status === 'queued' || v.status === 'processing')
        ? 3000
        : false,
  });
}

/** The file goes, the ledger stays: the list and the history (its rows link to videos) refetch. */
export function useDeleteVideo(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => deleteVideo(id),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['videos'] }),
        queryClient.invalidateQueries({ queryKey: ['transactions'] }),
      ]),
  });
}
