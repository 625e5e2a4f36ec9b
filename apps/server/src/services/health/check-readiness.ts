import { statfs } from 'node:fs/promises';
import type { ServiceContext } from '../context.ts';

export interface Readiness {
  ready: boolean;
  /** Why not, one line each (empty when ready). */
  reasons: string[];
}

/**
 * Whether this process should get traffic: the database takes a real write, the data
 * directory's file system has room, the video worker runs, and no shutdown has begun.
 */
export async function checkReadiness(options: {
  ctx: ServiceContext;
  input: { shuttingDown: boolean };
}): Promise<Readiness> {
  const { ctx, input } = options;
  const reasons: string[] = [];
  if (input.shuttingDown) reasons.push('shutting down');
  if (!ctx.videoQueue.isRunning()) reasons.push('video worker is not running');
  const [write, disk] = await Promise.allSettled([
    ctx.store.probeWrite(),
    statfs(ctx.config.dataDir),
  ]);
  if (write.status === 'rejected') {
    const message = write.reason instanceof Error ? write.reason.message : String(write.reason);
    reasons.push(`database is not writable: ${message}`);
  }
  if (disk.status === 'rejected') {
    reasons.push('free disk space is unknown (statfs failed)');
  } else {
    const free = disk.value.bavail * disk.value.bsize;
    const min = ctx.config.readyMinFreeBytes;
    if (free < min) reasons.push(`free disk space ${free} bytes is below ${min}`);
  }
  return { ready: reasons.length === 0, reasons };
}
