import type { Resolution } from '@app/shared';

export const RESOLUTION_SIZE: Readonly<Record<Resolution, { width: number; height: number }>> = {
  '720p': { width: 1280, height: 720 },
  '1080p': { width: 1920, height: 1080 },
};
