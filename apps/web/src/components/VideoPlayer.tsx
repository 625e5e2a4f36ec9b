import { useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Video } from '@app/shared';
import { queryKeys } from '../api/queries';
import { stripBidiControls } from '../lib/bidi';
import styles from './VideoPlayer.module.css';

/** Plays the finished file in the page. The URL carries a short-lived token, so when it
 * stops working the video is refetched once for a fresh URL. */
export function VideoPlayer({ video }: { video: Video }) {
  const queryClient = useQueryClient();
  const retriedFor = useRef<string | null>(null);
  if (!video.fileUrl) return null;
  const onError = () => {
    if (retriedFor.current === video.fileUrl) return;
    retriedFor.current = video.fileUrl;
    void queryClient.invalidateQueries({ queryKey: queryKeys.video(video.id) });
  };
  const fileName = `lumen-${video.id}.mp4`;
  return (
    <div className={styles.root}>
      <video
        className={styles.video}
        src={video.fileUrl}
        controls
        playsInline
        preload="metadata"
        onError={onError}
        aria-label={`Generated video: ${stripBidiControls(video.prompt)}`}
        data-testid="video-player"
      />
      <div className={styles.actions}>
        <a className="button button-secondary" href={video.fileUrl} download={fileName}>
          Download video
        </a>
      </div>
    </div>
  );
}
