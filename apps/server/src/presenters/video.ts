import type { Video } from '@app/shared';
import type { VideoRecord } from '../store/types.ts';

/** `fileUrl` carries a short-lived token scoped to this one video, so <video src> can use it. */
export const presentVideo = (v: VideoRecord, fileToken?: (v: VideoRecord) => string): Video => ({
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
  fileUrl:
    v.status === 'completed' && fileToken
      ? `/api/video/${encodeURIComponent(v.id)}/file?token=${encodeURIComponent(fileToken(v))}`
      : null,
  createdAt: v.createdAt,
  updatedAt: v.updatedAt,
  completedAt: v.completedAt,
});
