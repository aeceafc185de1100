-- nestjs-distributed-session, PostgreSQL store, schema version 2: a sign-in may give the session
-- a new absolute deadline ("remember me"). Applied after 001-sessions.sql, idempotent.

-- nds_commit, then, when it committed, the new absolute deadline on the row it moved to
-- (p_target: a sign-in's regeneration) in the same transaction as the commit. Used only by
-- commits that carry a deadline, so every other commit runs nds_commit exactly as before.
CREATE OR REPLACE FUNCTION nds_commit_with_deadline(
  p_id text, p_target text, p_now bigint, p_idle bigint, p_create_deadline bigint,
  p_expected bigint, p_fence bigint, p_clear boolean, p_release text, p_grace bigint,
  p_set jsonb, p_delete text[], p_meta_set jsonb, p_meta_delete text[], p_deadline bigint
) RETURNS TABLE (status text, version bigint, expires_at bigint, aliased boolean, stored bigint)
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  SELECT * INTO r FROM nds_commit(p_id, p_target, p_now, p_idle, p_create_deadline, p_expected,
    p_fence, p_clear, p_release, p_grace, p_set, p_delete, p_meta_set, p_meta_delete) c;
  IF r.status = 'committed' AND p_create_deadline IS NULL THEN
    UPDATE nds_session s SET absolute_deadline = p_deadline,
      expires_at = least(s.last_access_at + p_idle, p_deadline)
    WHERE s.id = coalesce(p_target, p_id)
    RETURNING s.expires_at INTO r.expires_at;
  END IF;
  RETURN QUERY SELECT r.status, r.version, r.expires_at, r.aliased, r.stored;
END $$;

INSERT INTO nds_schema_version (version) VALUES (2) ON CONFLICT DO NOTHING;
