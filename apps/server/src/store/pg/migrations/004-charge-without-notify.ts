/**
 * The charge without its NOTIFY. PostgreSQL serializes the commits of every transaction that
 * notified (one lock on the notification queue, held through the commit's WAL flush), so a
 * wake-up inside each charge made concurrent charges commit one fsync at a time: under load
 * most charges were waiting on that lock. The adapter announces new work after the commit
 * instead, coalesced and without waiting for the flush (pg-store.ts, queue-announcer.ts).
 * The body is migration 2's otherwise. Without the channel parameter this is an overload, not
 * a replacement: an instance still running the previous release during a rolling upgrade
 * names the channel and keeps calling migration 2's function, which still notifies.
 */
export const sql = /* sql */ `
CREATE FUNCTION charge_video(
  p_user_id TEXT,
  p_video_id TEXT,
  p_video_key TEXT,
  p_prompt TEXT,
  p_duration_minutes DOUBLE PRECISION,
  p_resolution TEXT,
  p_custom_music INTEGER,
  p_premium_tts INTEGER,
  p_ai_enhancement INTEGER,
  p_credits_used INTEGER,
  p_description TEXT,
  p_created_at TEXT,
  p_max_queued INTEGER,
  -- The Idempotency-Key's record; all three NULL without a key.
  p_scope TEXT,
  p_key TEXT,
  p_request_hash TEXT,
  p_low_balance_threshold INTEGER,
  p_mail_message_id TEXT
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_balance INTEGER;
  v_record idempotency_keys%ROWTYPE;
  v_queued INTEGER;
  v_user_round INTEGER;
  v_frontier INTEGER;
  v_after INTEGER;
  v_video video_generations%ROWTYPE;
  v_outcome jsonb;
BEGIN
  -- The first lock of every write (lock order user → the rest). Two charges with one key
  -- queue here, and at READ COMMITTED each statement below sees what the first committed.
  SELECT credit_balance INTO v_balance FROM users WHERE id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('kind', 'no_user');
  END IF;

  IF p_key IS NOT NULL THEN
    SELECT * INTO v_record FROM idempotency_keys
      WHERE user_id = p_user_id AND scope = p_scope AND key = p_key;
    IF FOUND THEN
      IF v_record.request_hash <> p_request_hash THEN
        RETURN jsonb_build_object('kind', 'key_reused');
      END IF;
      IF v_record.state = 'completed' THEN
        IF v_record.outcome IS NOT NULL THEN
          RETURN jsonb_build_object('kind', 'replayed', 'outcome', v_record.outcome::jsonb);
        END IF;
        RETURN jsonb_build_object('kind', 'replayed_reply',
          'status', v_record.response_status, 'body', v_record.response_body);
      END IF;
    END IF;
  END IF;

  -- Counted only up to the cap: the answer is "at the cap or not". Each of these can only
  -- be answered from a per-user index or the small set being rendered (migration 5).
  SELECT
    (SELECT COUNT(*) FROM (SELECT 1 FROM video_generations
       WHERE user_id = p_user_id AND status = 'queued'
       LIMIT p_max_queued) AS capped),
    (SELECT MAX(fair_round) FROM video_generations
       WHERE user_id = p_user_id AND status IN ('queued', 'processing')),
    (SELECT MAX(fair_round) FROM video_generations WHERE status = 'processing')
  INTO v_queued, v_user_round, v_frontier;
  -- Not remembered with the key: it passes once the queue drains.
  IF v_queued >= p_max_queued THEN
    RETURN jsonb_build_object('kind', 'too_many_queued', 'queued', v_queued, 'limit', p_max_queued);
  END IF;

  IF v_balance < 0 OR v_balance < p_credits_used THEN
    v_outcome := jsonb_build_object(
      'kind', CASE WHEN v_balance < 0 THEN 'owes' ELSE 'insufficient' END,
      'balance', v_balance, 'required', p_credits_used);
  ELSE
    -- The balance first: the ledger trigger checks each entry against it.
    UPDATE users SET credit_balance = credit_balance - p_credits_used, updated_at = p_created_at
      WHERE id = p_user_id AND credit_balance - p_credits_used >= 0
      RETURNING credit_balance INTO v_after;
    INSERT INTO video_generations (id, user_id, idempotency_key, status, prompt,
        duration_minutes, resolution, custom_music, premium_tts, ai_enhancement, credits_used,
        created_at, updated_at, fair_round, user_seq)
      VALUES (p_video_id, p_user_id, p_video_key, 'queued', p_prompt, p_duration_minutes,
        p_resolution, p_custom_music, p_premium_tts, p_ai_enhancement, p_credits_used,
        p_created_at, p_created_at,
        -- Start-time fair queueing, as in the SQLite adapter.
        GREATEST(COALESCE(v_frontier, 0), COALESCE(v_user_round, 0) + 1),
        COALESCE((SELECT MAX(user_seq) FROM video_generations WHERE user_id = p_user_id), 0) + 1)
      RETURNING * INTO v_video;
    INSERT INTO transactions (user_id, type, amount, balance_after, reference_type,
        reference_id, description, created_at, user_seq)
      VALUES (p_user_id, 'usage', -p_credits_used, v_after, 'video', p_video_id, p_description,
        p_created_at,
        COALESCE((SELECT MAX(user_seq) FROM transactions WHERE user_id = p_user_id), 0) + 1);
    IF v_balance >= p_low_balance_threshold AND v_after < p_low_balance_threshold THEN
      INSERT INTO mail_outbox (user_id, to_address, template, params, message_id, state,
          next_attempt_at, created_at)
        SELECT p_user_id, NULL, 'low_balance',
            json_build_object('balance', v_after, 'threshold', p_low_balance_threshold)::text,
            p_mail_message_id, 'pending', p_created_at, p_created_at
          FROM users WHERE id = p_user_id AND deleted_at IS NULL AND notify_low_balance = 1;
    END IF;
    -- video_record_json's fields, written out: a SQL function called from here is planned
    -- again on every call (about a tenth of the charge's time).
    v_outcome := jsonb_build_object('kind', 'created', 'balance', v_after, 'video',
      jsonb_build_object(
        'id', v_video.id, 'userId', v_video.user_id, 'idempotencyKey', v_video.idempotency_key,
        'status', v_video.status, 'prompt', v_video.prompt,
        'durationMinutes', v_video.duration_minutes, 'resolution', v_video.resolution,
        'customMusic', v_video.custom_music = 1, 'premiumTTS', v_video.premium_tts = 1,
        'aiEnhancement', v_video.ai_enhancement = 1, 'creditsUsed', v_video.credits_used,
        'creditsRefunded', v_video.credits_refunded, 'progress', v_video.progress,
        'error', v_video.error, 'filePath', v_video.file_path, 'attempts', v_video.attempts,
        'createdAt', v_video.created_at, 'updatedAt', v_video.updated_at,
        'startedAt', v_video.started_at, 'completedAt', v_video.completed_at,
        'deletedAt', v_video.deleted_at));
  END IF;

  IF p_key IS NOT NULL THEN
    INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, outcome,
        created_at, updated_at)
      VALUES (p_user_id, p_scope, p_key, p_request_hash, 'completed', v_outcome::text,
        p_created_at, p_created_at);
  END IF;
  RETURN v_outcome;
END $$;
`;
