import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { TERMINAL_VIDEO_STATUSES, type Video } from '@app/shared';
import { ApiError, getVideo, streamVideoEvents } from '../api/client';
import { invalidateAccount, queryKeys, useBalance } from '../api/queries';

export const isTerminal = (video: Video | undefined) =>
  video !== undefined && TERMINAL_VIDEO_STATUSES.includes(video.status);

/** 404, or 400 for an id that is not even well-formed: either way there is no such video. */
export const isMissingVideo = (error: unknown) =>
  error instanceof ApiError && (error.status === 404 || error.code === 'VALIDATION_ERROR');

const POLL_MS = 1000;
const BALANCE_POLL_MS = 4000;

/**
 * Live state of one video: the server's event stream feeds the query cache; if the stream
 * cannot be opened or ends early, the query falls back to polling every second.
 */
export function useVideoProgress(id: string) {
  const queryClient = useQueryClient();
  const [streamFailed, setStreamFailed] = useState(false);

  const query = useQuery({
    queryKey: queryKeys.video(id),
    queryFn: ({ signal }) => getVideo(id, signal).then((r) => r.video),
    // A video that does not exist (or is not ours) will not appear by polling for it.
    refetchInterval: (q) =>
      streamFailed && !isTerminal(q.state.data) && !isMissingVideo(q.state.error) ? POLL_MS : false,
  });
  const terminal = isTerminal(query.data);

  useEffect(() => {
    setStreamFailed(false);
    if (isTerminal(queryClient.getQueryData<Video>(queryKeys.video(id)))) return;
    const controller = new AbortController();
    streamVideoEvents(
      id,
      (video) => queryClient.setQueryData(queryKeys.video(id), video),
      controller.signal,
    )
      .then(() => {
        if (!isTerminal(queryClient.getQueryData<Video>(queryKeys.video(id)))) {
          setStreamFailed(true);
        }
      })
      .catch(() => {
        if (!controller.signal.aborted) setStreamFailed(true);
      });
    return () => controller.abort();
  }, [id, queryClient]);

  // A finished (or failed and refunded) video changes the balance, the ledger and the history.
  useEffect(() => {
    if (terminal) void invalidateAccount(queryClient);
  }, [terminal, queryClient]);

  // The header badge keeps up while a render is in flight (refunds land without a reload).
  useBalance({ refetchInterval: terminal ? false : BALANCE_POLL_MS });

  return query;
}
