import type { VideoHistoryResponse, VideoStatus } from '@app/shared';
import { presentPagination, toPage } from '../../presenters/pagination.ts';
import { presentVideo } from '../../presenters/video.ts';
import type { Actor, ServiceContext } from '../context.ts';

export async function listVideoHistory(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: { page: number; pageSize: number; status?: VideoStatus; q?: string };
}): Promise<VideoHistoryResponse> {
  const { ctx, input: query } = options;
  const { rows, total } = await ctx.store.listVideos({
    userId: options.actor.userId,
    filter: { status: query.status, q: query.q },
    page: toPage(query),
  });
  return {
    videos: rows.map((v) => presentVideo(v, ctx.videoFileToken)),
    pagination: presentPagination(query, total),
  };
}
