/**
 * The video charge as one server-side function, so the adapter makes it with one statement in
 * autocommit: one round trip instead of BEGIN, seven statements and COMMIT, each waiting on
 * the network while the user's row stays locked. It does what the adapter did, in the same
 * order and with the same locks (the user's row first), and returns the result as jsonb.
 *
 * The key's record holds the charge's domain outcome (`outcome`, JSON: the created video as
 * it was, or the refusal), which the HTTP layer encodes; records written before this keep
 * their status and body and replay those until they expire.
 *
 * SECURITY INVOKER (the default): it runs with the app role's own rights, which already cover
 * every table it writes, and the append-only ledger's triggers and checks apply unchanged.
 */
export const sql = /* sql */ `
ALTER TABLE idempotency_keys ADD COLUMN outcome TEXT;

-- A video row as the domain's VideoRecord (the adapters' videoFromRow), for stored outcomes.
CREATE FUNCTION video_record_json(v video_generations) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'id', v.id, 'userId', v.user_id, 'idempotencyKey', v.idempotency_key, 'status', v.status,
    'prompt', v.prompt, 'durationMinutes', v.duration_minutes, 'resolution', v.resolution,
    'customMusic', v.custom_music = 1, 'premiumTTS', v.premium_tts = 1,
    'aiEnhancement', v.ai_enhancement = 1, 'creditsUsed', v.credits_used,
    'creditsRefunded', v.credits_refunded, 'progress', v.progress, 'error', v.error,
    'filePath', v.file_path, 'attempts', v.attempts, 'createdAt', v.created_at,
    'updatedAt', v.updated_at, 'startedAt', v.started_at, 'completedAt', v.completed_at,
    'deletedAt', v.deleted_at)
$$;

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
  p_mail_message_id TEXT,
  p_queue_channel TEXT
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

  -- Counted only up to the cap: the answer is "at the cap or not".
  SELECT
    (SELECT COUNT(*) FROM (SELECT 1 FROM video_generations
       WHERE user_id = p_user_id AND status IN ('queued', 'processing') AND status = 'queued'
       LIMIT p_max_queued) AS capped),
    (SELECT MAX(fair_round) FROM video_generations
       WHERE user_id = p_user_id AND status IN ('queued', 'processing')),
    (SELECT MAX(fair_round) FROM video_generations
       WHERE status IN ('queued', 'processing') AND status = 'processing')
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
    v_outcome := jsonb_build_object(
      'kind', 'created', 'video', video_record_json(v_video), 'balance', v_after);
    -- Every instance's idle worker wakes up once this commits.
    PERFORM pg_notify(p_queue_channel, '');
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
