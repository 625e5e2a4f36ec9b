import type {
  DeleteVideoResult,
  Page,
  PageResult,
  SpendSummaryRows,
  VideoListFilter,
  VideoRecord,
} from '../types.ts';
import { videoFromRow } from '../sqlite/rows.ts';
import { lockUser } from './ledger.ts';
import { seekPage } from './ledger-queries.ts';
import type { Q } from './sql.ts';

/** The video library's queries, as sqlite/video-library.ts. */

const likeWord = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listLibraryVideos(
  q: Q,
  userId: string,
  filter: VideoListFilter,
  page: Page,
): Promise<PageResult<VideoRecord>> {
  const words = (filter.q ?? '').split(/\s+/).filter(Boolean).slice(0, 10);
  const deleted = await q.value(
    'SELECT 1 FROM video_generations WHERE user_id = ? AND deleted_at IS NOT NULL LIMIT 1',
    [userId],
  );
  if (!filter.status && words.length === 0 && deleted === undefined) {
    const { rows, total } = await seekPage(q, 'video_generations', userId, page);
    return { rows: rows.map(videoFromRow), total };
  }
  const where = ['user_id = ?', 'deleted_at IS NULL'];
  const args: unknown[] = [userId];
  if (filter.status) {
    where.push('status = ?');
    args.push(filter.status);
  }
  for (const word of words) {
    // ASCII case-insensitive, as SQLite's LIKE.
    where.push("prompt ILIKE ? ESCAPE '\\'");
    args.push(likeWord(word));
  }
  const clause = where.join(' AND ');
  const total = (await q.value<number>(
    `SELECT COUNT(*) FROM video_generations WHERE ${clause}`,
    args,
  ))!;
  const rows = await q.all(
    `SELECT * FROM video_generations WHERE ${clause} ORDER BY user_seq DESC LIMIT ? OFFSET ?`,
    [...args, page.limit, page.offset],
  );
  return { rows: rows.map(videoFromRow), total };
}

export async function videoPromptsOf(
  q: Q,
  userId: string,
  ids: string[],
): Promise<Map<string, string | null>> {
  const unique = [...new Set(ids)].slice(0, 100);
  const prompts = new Map<string, string | null>();
  if (unique.length === 0) return prompts;
  const rows = await q.all(
    'SELECT id, prompt, deleted_at FROM video_generations WHERE id = ANY(?) AND user_id = ?',
    [unique, userId],
  );
  for (const r of rows)
    prompts.set(r.id as string, r.deleted_at === null ? (r.prompt as string) : null);
  return prompts;
}

export async function deleteLibraryVideo(
  q: Q,
  input: { id: string; userId: string; now: string },
): Promise<DeleteVideoResult> {
  await lockUser(q, input.userId);
  const row = await q.get(
    `SELECT status, file_path, deleted_at FROM video_generations WHERE id = ? AND user_id = ?
       FOR UPDATE`,
    [input.id, input.userId],
  );
  if (!row || row.deleted_at !== null) return { kind: 'not_found' };
  if (row.status === 'queued' || row.status === 'processing') return { kind: 'active' };
  await q.run(
    `UPDATE video_generations SET deleted_at = ?, prompt = '', file_path = NULL, updated_at = ?
       WHERE id = ?`,
    [input.now, input.now, input.id],
  );
  return { kind: 'deleted', filePath: (row.file_path as string | null) ?? null };
}

export async function spendSummaryRows(
  q: Q,
  input: { userId: string; from: string; tzOffsetMinutes: number },
): Promise<SpendSummaryRows> {
  // The ISO text timestamps shifted into the user's zone, cut to the day: SQLite's date(x, shift).
  const daily = await q.all<SpendSummaryRows['daily'][number]>(
    `SELECT to_char((created_at::timestamptz AT TIME ZONE 'UTC') + make_interval(mins => ?::int),
              'YYYY-MM-DD') AS date, type, SUM(amount)::int AS amount
       FROM transactions WHERE user_id = ? AND created_at >= ? GROUP BY 1, 2 ORDER BY 1, 2`,
    [input.tzOffsetMinutes, input.userId, input.from],
  );
  const usage = await q.all<SpendSummaryRows['usage'][number]>(
    `SELECT v.resolution AS resolution, (-SUM(t.amount))::int AS credits,
        COUNT(*)::int AS videos, SUM(v.custom_music)::int AS "customMusic",
        SUM(v.premium_tts)::int AS "premiumTTS", SUM(v.ai_enhancement)::int AS "aiEnhancement"
      FROM transactions t JOIN video_generations v ON v.id = t.reference_id AND v.user_id = t.user_id
      WHERE t.user_id = ? AND t.created_at >= ? AND t.type = 'usage' AND t.reference_type = 'video'
      GROUP BY v.resolution ORDER BY v.resolution`,
    [input.userId, input.from],
  );
  return { daily, usage };
}
