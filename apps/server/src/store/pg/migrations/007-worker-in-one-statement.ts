/**
 * The render worker's two hot writes, each one statement (one round trip, its own
 * transaction), as migration 4 made the charge.
 *
 * Measured with two instances under continuous many-user load, renders running beside the
 * charges (the no-op renderer finishes a video as soon as it is claimed): the worker sent more
 * statements than the charges did. A claim was BEGIN, the advisory lock, the UPDATE and
 * COMMIT; a completion was BEGIN, eight reads and writes and COMMIT. With claims switched off,
 * generate rose from about 950 to 1,170 req/s: the worker cost about a fifth of the machine.
 *
 * `claim_video`: migration 5's claim, unchanged, with the planner settings it needs as the
 * function's own SET clauses (they last for the call, as `set_config(..., true)` lasted for
 * the transaction). Claims still serialize on the advisory lock, held to the commit.
 *
 * `complete_video`: the worker's result when it holds the lease. It locks the video row only,
 * not the user's: a completion moves no credits, and taking one lock cannot deadlock with
 * the cancel and the reaper, which lock user → video. A cancel racing it still decides after
 * it on the video row and sees "completed" (no change, no refund); a completion after a
 * cancel or a reap finds the lease gone and changes nothing. Failures and cancels keep the
 * adapter's transaction: they refund.
 *
 * Both return the video row as jsonb (its columns by name, as a SELECT * row), NULL when
 * there is nothing: jsonb, not the row type, so a later column cannot break a prepared
 * statement.
 */
export const sql = /* sql */ `
CREATE FUNCTION claim_video(
  p_now TEXT,
  p_owner TEXT,
  p_lease_until TEXT,
  p_max_running INTEGER
) RETURNS jsonb
LANGUAGE plpgsql
SET enable_sort = off
SET enable_bitmapscan = off
AS $$
DECLARE
  v_video video_generations%ROWTYPE;
BEGIN
  PERFORM pg_advisory_xact_lock(7243002);
  UPDATE video_generations v SET status = 'processing', attempts = v.attempts + 1,
      started_at = COALESCE(v.started_at, p_now), updated_at = p_now,
      lease_owner = p_owner, lease_until = p_lease_until
    FROM (
      SELECT q.id FROM video_generations q
      WHERE q.status = 'queued' AND q.attempts >= 0
        AND (SELECT COUNT(*) FROM video_generations r
             WHERE r.user_id = q.user_id AND r.status = 'processing')
            < p_max_running
      ORDER BY q.fair_round, q.created_at, q.id LIMIT 1
      FOR UPDATE SKIP LOCKED) AS next
    WHERE v.id = next.id
    RETURNING v.* INTO v_video;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  RETURN to_jsonb(v_video);
END $$;

CREATE FUNCTION complete_video(
  p_id TEXT,
  p_owner TEXT,
  p_attempt INTEGER,
  p_file_path TEXT,
  p_now TEXT,
  p_channel TEXT
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_video video_generations%ROWTYPE;
  v_changed BOOLEAN := false;
BEGIN
  SELECT * INTO v_video FROM video_generations WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF v_video.status = 'processing' AND v_video.lease_owner = p_owner
      AND v_video.attempts = p_attempt THEN
    UPDATE video_generations SET status = 'completed', progress = 100,
        file_path = p_file_path, error = NULL, completed_at = p_now, updated_at = p_now
      WHERE id = p_id
      RETURNING * INTO v_video;
    PERFORM pg_notify(p_channel, p_id);
    v_changed := true;
  END IF;
  RETURN jsonb_build_object('changed', v_changed, 'video', to_jsonb(v_video),
    'balance', (SELECT credit_balance FROM users WHERE id = v_video.user_id));
END $$;
`;
