import type { OperationalGauges } from '../types.ts';
import type { Db } from './open.ts';
import { statement } from './statements.ts';

/**
 * Rewrites the header's user_version with its own value: unused by the schema, yet a real
 * write that needs the write lock, a writable file and a COMMIT through the group commit.
 */
export function probeWrite(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  db.pragma(`user_version = ${Math.trunc(version)}`);
}

export function operationalGauges(db: Db): OperationalGauges {
  // Both partial indexes cover exactly the active videos and the unsent mails.
  const videos = statement(
    db,
    `SELECT status, COUNT(*) AS n FROM video_generations
       WHERE status IN ('queued', 'processing') GROUP BY status`,
  ).all() as { status: string; n: number }[];
  const mailBacklog = statement(
    db,
    `SELECT COUNT(*) FROM mail_outbox WHERE state IN ('pending', 'sending')`,
    { pluck: true },
  ).get() as number;
  return {
    videosQueued: videos.find((v) => v.status === 'queued')?.n ?? 0,
    videosProcessing: videos.find((v) => v.status === 'processing')?.n ?? 0,
    mailBacklog,
  };
}
