import { sql as chargeWithoutNotify } from './004-charge-without-notify.ts';

/**
 * The charge's fair-queue rounds from the end of an index instead of from every row. Under
 * the two-instance bench these reads were about a third of PostgreSQL's time per charge:
 *
 * - The user's latest round, `MAX(fair_round) ... status IN ('queued', 'processing')`, read
 *   every queued and rendering video of the user. It is now the last entry of each per-user
 *   index, which carry the round after the user id. Those indexes replace migration 3's,
 *   which held the user id alone; they serve the cap's count and the claim's running count
 *   as before.
 * - The frontier, the highest round being rendered, read every rendering video, with the dead
 *   versions each render leaves behind until vacuum. It now has an index by round. Its
 *   predicate names `fair_round >= 0`, true of every row, so that only a query that says so
 *   can use it: the claim's per-user running count does not (an index of renders by round
 *   that it could use was tried once, migration 5, and made claims walk it).
 *
 * Each is written `ORDER BY fair_round DESC LIMIT 1`, not `MAX()`: after ANALYZE saw an empty
 * queue the planner costs a scan of the whole index the same as reading its last entry, and
 * took the scan; with ORDER BY the other plans need a sort, which it does not choose.
 *
 * Otherwise this is migration 4's function, unchanged (its text is immutable, so it is
 * rewritten here rather than copied). Same signature: migration 6's overload and migration
 * 8's batches call it as before.
 */
const ROUNDS_BEFORE = `(SELECT MAX(fair_round) FROM video_generations
       WHERE user_id = p_user_id AND status IN ('queued', 'processing')),
    (SELECT MAX(fair_round) FROM video_generations WHERE status = 'processing')`;

const ROUNDS_AFTER = `GREATEST(
      (SELECT fair_round FROM video_generations
         WHERE user_id = p_user_id AND status = 'queued' ORDER BY fair_round DESC LIMIT 1),
      (SELECT fair_round FROM video_generations
         WHERE user_id = p_user_id AND status = 'processing' ORDER BY fair_round DESC LIMIT 1)),
    (SELECT fair_round FROM video_generations
       WHERE status = 'processing' AND fair_round >= 0 ORDER BY fair_round DESC LIMIT 1)`;

function rewrite(text: string, from: string, to: string): string {
  if (text.split(from).length !== 2) throw new Error(`migration 10: expected one "${from}"`);
  return text.replace(from, to);
}

const chargeFunction = rewrite(
  rewrite(chargeWithoutNotify, ROUNDS_BEFORE, ROUNDS_AFTER),
  'CREATE FUNCTION charge_video(',
  'CREATE OR REPLACE FUNCTION charge_video(',
);

export const sql = /* sql */ `
DROP INDEX video_generations_queued_by_user;
CREATE INDEX video_generations_queued_by_user ON video_generations (user_id, fair_round)
  WHERE status = 'queued';
DROP INDEX video_generations_processing_by_user;
CREATE INDEX video_generations_processing_by_user ON video_generations (user_id, fair_round)
  WHERE status = 'processing';
CREATE INDEX video_generations_rendering_by_round ON video_generations (fair_round)
  WHERE status = 'processing' AND fair_round >= 0;
${chargeFunction}
`;
