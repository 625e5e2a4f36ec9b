import type {
  DeleteVideoResult,
  Page,
  PageResult,
  SpendSummaryRows,
  VideoListFilter,
  VideoRecord,
} from '../types.ts';
import type { Db } from './open.ts';
import { videoFromRow } from './rows.ts';
import { statement } from './statements.ts';
import { seekPage } from './user-seq.ts';

type Row = Record<string, unknown>;

/** LIKE wildcards in the user's words match themselves. */
const likeWord = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function hasDeletedVideos(db: Db, userId: string): boolean {
  return (
    statement(
      db,
      'SELECT 1 FROM video_generations WHERE user_id = ? AND deleted_at IS NOT NULL LIMIT 1',
      { pluck: true },
    ).get(userId) !== undefined
  );
}

/**
 * Newest first. Without a filter, and as long as the user never deleted a video, the page is
 * a range seek (migration 6); otherwise the matching rows of this user are counted and
 * skipped, a cost that grows with their own history only. Search is a case-insensitive
 * (ASCII) substring match of every word, so "boat rain" finds "A paper boat in the rain".
 */
export function listLibraryVideos(
  db: Db,
  userId: string,
  filter: VideoListFilter,
  page: Page,
): PageResult<VideoRecord> {
  const words = (filter.q ?? '').split(/\s+/).filter(Boolean).slice(0, 10);
  if (!filter.status && words.length === 0 && !hasDeletedVideos(db, userId)) {
    const { rows, total } = seekPage(db, 'video_generations', userId, page);
    return { rows: rows.map(videoFromRow), total };
  }
  const where = ['user_id = ?', 'deleted_at IS NULL'];
  const args: unknown[] = [userId];
  if (filter.status) {
    where.push('status = ?');
    args.push(filter.status);
  }
  for (const word of words) {
    where.push("prompt LIKE ? ESCAPE '\\'");
    args.push(likeWord(word));
  }
  const clause = where.join(' AND ');
  const total = statement(db, `SELECT COUNT(*) FROM video_generations WHERE ${clause}`, {
    pluck: true,
  }).get(...args) as number;
  const rows = statement(
    db,
    `SELECT * FROM video_generations WHERE ${clause} ORDER BY user_seq DESC LIMIT ? OFFSET ?`,
  ).all(...args, page.limit, page.offset) as Row[];
  return { rows: rows.map(videoFromRow), total };
}

/** At most one page of ids (the transactions list caps pages at 100). */
export function videoPromptsOf(db: Db, userId: string, ids: string[]): Map<string, string | null> {
  const unique = [...new Set(ids)].slice(0, 100);
  const prompts = new Map<string, string | null>();
  if (unique.length === 0) return prompts;
  // Unary + keeps the planner on the primary key: on user_id it would walk every video of
  // the user (14 ms for a 10,000-video user against 0.03 ms, measured by bench:big).
  const rows = statement(
    db,
    `SELECT id, prompt, deleted_at FROM video_generations
       WHERE id IN (${unique.map(() => '?').join(', ')}) AND +user_id = ?`,
  ).all(...unique, userId) as Row[];
  for (const r of rows)
    prompts.set(r.id as string, r.deleted_at === null ? (r.prompt as string) : null);
  return prompts;
}

/** Runs inside a write transaction (see SqliteStore.deleteVideo). */
export function deleteLibraryVideo(
  db: Db,
  input: { id: string; userId: string; now: string },
): DeleteVideoResult {
  const row = statement(
    db,
    'SELECT status, file_path, deleted_at FROM video_generations WHERE id = ? AND user_id = ?',
  ).get(input.id, input.userId) as Row | undefined;
  if (!row || row.deleted_at !== null) return { kind: 'not_found' };
  if (row.status === 'queued' || row.status === 'processing') return { kind: 'active' };
  // Only what the user wrote and the file go; status, credits and the ledger stay as they were.
  statement(
    db,
    `UPDATE video_generations SET deleted_at = ?, prompt = '', file_path = NULL, updated_at = ?
       WHERE id = ?`,
  ).run(input.now, input.now, input.id);
  return { kind: 'deleted', filePath: (row.file_path as string | null) ?? null };
}

/** Both seek the ledger's (user_id, created_at) index; videos are joined by primary key. */
export const SPEND_DAILY_SQL = `SELECT date(created_at, ?) AS date, type, SUM(amount) AS amount
  FROM transactions WHERE user_id = ? AND created_at >= ? GROUP BY 1, 2 ORDER BY 1`;
export const SPEND_USAGE_SQL = `SELECT v.resolution AS resolution, -SUM(t.amount) AS credits,
    COUNT(*) AS videos, SUM(v.custom_music) AS customMusic, SUM(v.premium_tts) AS premiumTTS,
    SUM(v.ai_enhancement) AS aiEnhancement
  FROM transactions t JOIN video_generations v ON v.id = t.reference_id AND v.user_id = t.user_id
  WHERE t.user_id = ? AND t.created_at >= ? AND t.type = 'usage' AND t.reference_type = 'video'
  GROUP BY v.resolution ORDER BY v.resolution`;

export function spendSummaryRows(
  db: Db,
  input: { userId: string; from: string; tzOffsetMinutes: number },
): SpendSummaryRows {
  const shift = `${input.tzOffsetMinutes >= 0 ? '+' : ''}${input.tzOffsetMinutes} minutes`;
  const daily = statement(db, SPEND_DAILY_SQL).all(
    shift,
    input.userId,
    input.from,
  ) as SpendSummaryRows['daily'];
  const usage = statement(db, SPEND_USAGE_SQL).all(
    input.userId,
    input.from,
  ) as SpendSummaryRows['usage'];
  return { daily, usage };
}
