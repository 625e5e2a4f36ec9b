import pg from 'pg';
import type { VideoEventListener } from '../types.ts';

export const VIDEO_CHANNEL = 'video_events';
export const QUEUE_CHANNEL = 'video_queued';

const RECONNECT_MS = [100, 500, 1000, 2000, 5000];

/**
 * One dedicated connection per instance LISTENing to the video channels. A lost connection
 * (PostgreSQL restarted) is reopened with backoff, and `onGap` tells the listener that
 * notifications may have been missed meanwhile, so it re-reads what it watches.
 */
export async function listenVideoEvents(
  connectionString: string,
  listener: VideoEventListener,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString });
    c.on('notification', (n) => {
      if (n.channel === VIDEO_CHANNEL && n.payload) listener.onVideo(n.payload);
      else if (n.channel === QUEUE_CHANNEL) listener.onQueued();
    });
    c.on('error', () => undefined);
    c.on('end', () => {
      if (client === c) client = undefined;
      if (!stopped) schedule();
    });
    await c.connect();
    await c.query(`LISTEN ${VIDEO_CHANNEL}`);
    await c.query(`LISTEN ${QUEUE_CHANNEL}`);
    client = c;
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        connect().then(
          () => {
            attempt = 0;
            listener.onGap();
          },
          () => {
            attempt++;
            if (!stopped) schedule();
          },
        );
      },
      RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)],
    );
    timer.unref();
  };

  try {
    await connect();
  } catch {
    schedule();
  }
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await client?.end().catch(() => undefined);
  };
}
