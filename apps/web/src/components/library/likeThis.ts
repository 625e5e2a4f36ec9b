import type { Video } from '@app/shared';
import type { StudioDraft } from '../../lib/studioForm';

/** Router state that opens the studio pre-filled ("make another like this"). */
export interface StudioPrefillState {
  prefill: StudioDraft;
}

export function prefillFrom(video: Video): StudioPrefillState {
  return {
    prefill: {
      prompt: video.prompt,
      duration: String(video.durationMinutes),
      resolution: video.resolution,
      customMusic: video.customMusic,
      premiumTTS: video.premiumTTS,
      aiEnhancement: video.aiEnhancement,
    },
  };
}

export function readPrefill(state: unknown): StudioDraft | undefined {
  if (typeof state !== 'object' || state === null || !('prefill' in state)) return undefined;
  return (state as StudioPrefillState).prefill;
}
