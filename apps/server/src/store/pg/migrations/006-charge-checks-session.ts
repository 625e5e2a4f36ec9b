/**
 * The charge with the caller's checks in it. Every generate first asked whether the token's
 * session was still live (signed out, revoked by a password change, the account disabled),
 * with REQUIRE_VERIFIED_EMAIL whether the account's address was verified, and then charged:
 * up to three round trips on the busiest write. This overload runs those checks and, when
 * they pass, migration 4's charge, in one statement. They run before the user row is locked,
 * as the separate checks did; a session ended after that is the same race as before.
 * A NULL `p_session_id` skips the session check. Calls without `p_session_id` still resolve
 * to migration 4's function.
 */
export const sql = /* sql */ `
CREATE FUNCTION charge_video(
  p_session_id TEXT,
  p_require_verified_email BOOLEAN,
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
  p_scope TEXT,
  p_key TEXT,
  p_request_hash TEXT,
  p_low_balance_threshold INTEGER,
  p_mail_message_id TEXT
) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
  IF p_session_id IS NOT NULL THEN
    -- TokenService's check (sessions.ts isSessionActive), verbatim.
    PERFORM 1 FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = p_session_id AND s.user_id = p_user_id
        AND s.revoked_at IS NULL AND u.disabled_at IS NULL;
    IF NOT FOUND THEN
      RETURN jsonb_build_object('kind', 'session_ended');
    END IF;
  END IF;
  IF p_require_verified_email THEN
    PERFORM 1 FROM users WHERE id = p_user_id AND email_verified_at IS NOT NULL;
    IF NOT FOUND THEN
      RETURN jsonb_build_object('kind', 'email_not_verified');
    END IF;
  END IF;
  RETURN charge_video(p_user_id => p_user_id, p_video_id => p_video_id,
    p_video_key => p_video_key, p_prompt => p_prompt,
    p_duration_minutes => p_duration_minutes, p_resolution => p_resolution,
    p_custom_music => p_custom_music, p_premium_tts => p_premium_tts,
    p_ai_enhancement => p_ai_enhancement, p_credits_used => p_credits_used,
    p_description => p_description, p_created_at => p_created_at,
    p_max_queued => p_max_queued, p_scope => p_scope, p_key => p_key,
    p_request_hash => p_request_hash, p_low_balance_threshold => p_low_balance_threshold,
    p_mail_message_id => p_mail_message_id);
END $$;
`;
