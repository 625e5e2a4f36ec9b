import type { VideoHistoryResponse, VideoStatus } from '@app/shared';
import { presentPagination, toPage } from '../../presenters/pagination.ts';
import { presentVideo } from '../../presenters/video.ts';
import type { VideoRecord } from '../../store/types.ts';
import type { Actor, ServiceContext } from '../context.ts';

export async function listVideoHistory(options: {
  ctx: ServiceContext;
  actor: Actor;
  query: { page: number; pageSize: number; status?: VideoStatus; q?: string };
  fileToken: (v: VideoRecord) => string;
}): Promise<VideoHistoryResponse> {
  const { query } = options;
  const { rows, total } = await options.ctx.store.listVideos(
    options.actor.userId,
    { status: query.status, q: query.q },
    toPage(query),
  );
  return {
    videos: rows.map((v) => presentVideo(v, options.fileToken)),
    pagination: presentPagination(query, total),
  };
}
