import type { Video } from '@app/shared';
import type { VideoRecord } from '../store/types.ts';

/**
 * `fileUrl` and `posterUrl` carry a short-lived token scoped to this one video, so <video src>
 * and <img src> can use them.
 */
export const presentVideo = (v: VideoRecord, fileToken?: (v: VideoRecord) => string): Video => {
  const token = v.status === 'completed' && fileToken ? encodeURIComponent(fileToken(v)) : null;
  const base = `/api/video/${encodeURIComponent(v.id)}`;
  return {
    id: v.id,
    status: v.status,
    prompt: v.prompt,
    durationMinutes: v.durationMinutes,
    resolution: v.resolution,
    customMusic: v.customMusic,
    premiumTTS: v.premiumTTS,
    aiEnhancement: v.aiEnhancement,
    creditsUsed: v.creditsUsed,
    creditsRefunded: v.creditsRefunded,
    progress: v.progress,
    error: v.error,
    fileUrl: token ? `${base}/file?token=${token}` : null,
    posterUrl: token ? `${base}/poster?token=${token}` : null,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    completedAt: v.completedAt,
  };
};
