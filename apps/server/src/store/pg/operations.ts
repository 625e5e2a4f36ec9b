import type { OperationalGauges } from '../types.ts';
import type { Q } from './sql.ts';

/** A real write needing a writable, reachable primary (a read-only server refuses it). */
export async function probeWrite(q: Q): Promise<void> {
  await q.run(
    `UPDATE schema_migrations SET applied_at = applied_at WHERE version = (
       SELECT MIN(version) FROM schema_migrations)`,
  );
}

export async function operationalGauges(q: Q): Promise<OperationalGauges> {
  const videos = await q.all<{ status: string; n: number }>(
    `SELECT status, COUNT(*) AS n FROM video_generations
       WHERE status IN ('queued', 'processing') GROUP BY status`,
  );
  const mailBacklog = (await q.value<number>(
    `SELECT COUNT(*) FROM mail_outbox WHERE state IN ('pending', 'sending')`,
  ))!;
  return {
    videosQueued: videos.find((v) => v.status === 'queued')?.n ?? 0,
    videosProcessing: videos.find((v) => v.status === 'processing')?.n ?? 0,
    mailBacklog,
  };
}
