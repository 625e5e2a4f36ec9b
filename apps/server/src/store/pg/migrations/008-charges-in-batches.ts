/**
 * Several charges in one statement and one transaction. Under load each instance has more
 * generates waiting than connections charging, and on two vCPUs PostgreSQL's time went about
 * half to running the charge and half to carrying it: the protocol round, the snapshot, the
 * commit record and its flush, waking the client. A batch pays those once for all its
 * charges (charge-batcher.ts sends one when charges are waiting behind others in flight).
 *
 * Each element is migration 6's charge, called with the same arguments, and its result goes
 * back under the element's position. Users are locked in id order whatever order the caller
 * sent, so two batches (or a batch and a single charge, which locks one user) cannot wait on
 * each other in a cycle. Two charges of one user in a batch run one after the other, as they
 * would have queued on the user's row: the second sees the first's debit and its key.
 * An error in any charge rolls the whole batch back; the caller then charges each alone.
 */
export const sql = /* sql */ `
CREATE FUNCTION charge_videos(p_charges jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  c record;
  v_results jsonb := '{}'::jsonb;
BEGIN
  FOR c IN
    SELECT value AS a, (ordinality - 1)::text AS position
      FROM jsonb_array_elements(p_charges) WITH ORDINALITY
      ORDER BY value->>'userId', ordinality
  LOOP
    v_results := v_results || jsonb_build_object(c.position, charge_video(
      p_session_id => c.a->>'sessionId',
      p_require_verified_email => (c.a->>'requireVerifiedEmail')::boolean,
      p_user_id => c.a->>'userId',
      p_video_id => c.a->>'id',
      p_video_key => c.a->>'videoKey',
      p_prompt => c.a->>'prompt',
      p_duration_minutes => (c.a->>'durationMinutes')::double precision,
      p_resolution => c.a->>'resolution',
      p_custom_music => (c.a->>'customMusic')::integer,
      p_premium_tts => (c.a->>'premiumTTS')::integer,
      p_ai_enhancement => (c.a->>'aiEnhancement')::integer,
      p_credits_used => (c.a->>'creditsUsed')::integer,
      p_description => c.a->>'description',
      p_created_at => c.a->>'createdAt',
      p_max_queued => (c.a->>'maxQueued')::integer,
      p_scope => c.a->>'scope',
      p_key => c.a->>'key',
      p_request_hash => c.a->>'requestHash',
      p_low_balance_threshold => (c.a->>'lowBalance')::integer,
      p_mail_message_id => c.a->>'messageId'));
  END LOOP;
  RETURN v_results;
END $$;
`;
