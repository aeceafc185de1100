-- nestjs-distributed-session, PostgreSQL store, schema version 1.
-- Apply once per database, explicitly: `PostgresSessionStore` with `migrate: true`,
-- `migratePostgresSessionStore(pool)`, or `psql "$DATABASE_URL" -f 001-sessions.sql`.
-- Tables and functions are created unqualified: they land in the first schema of the search_path
-- (public by default), and the store finds them through the same search_path.
-- Times are epoch milliseconds of the application's clock (the store is handed `now`), except the
-- lock leases, which use the database's clock so that servers with skewed clocks agree.

CREATE TABLE IF NOT EXISTS nds_session (
  id text PRIMARY KEY,                 -- the session key: tag ':' secret hash (never the token)
  data jsonb NOT NULL DEFAULT '{}',    -- top-level data key -> JSON text of its value
  meta jsonb NOT NULL DEFAULT '{}',    -- optional metadata: principal, fingerprint, ...
  version bigint NOT NULL,
  fence bigint NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  last_access_at bigint NOT NULL,
  absolute_deadline bigint NOT NULL,
  expires_at bigint NOT NULL           -- min(last_access_at + idle, absolute_deadline): the sweep
);
CREATE INDEX IF NOT EXISTS nds_session_expires_at ON nds_session (expires_at);

-- A rotation's grace pointer: the replaced key leads to the session's new key until expires_at.
CREATE TABLE IF NOT EXISTS nds_session_alias (
  id text PRIMARY KEY,
  target text NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS nds_session_alias_expires_at ON nds_session_alias (expires_at);

-- Session locks: a lease per session key, owned by a random value, on the database clock.
CREATE TABLE IF NOT EXISTS nds_session_lock (
  id text PRIMARY KEY,
  value text NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS nds_session_lock_expires_at ON nds_session_lock (expires_at);

-- The per-principal session index: handles scored by the session's absolute deadline.
CREATE TABLE IF NOT EXISTS nds_principal_index (
  principal_id text NOT NULL,
  handle text NOT NULL,
  deadline bigint NOT NULL,
  PRIMARY KEY (principal_id, handle)
);
CREATE INDEX IF NOT EXISTS nds_principal_index_deadline ON nds_principal_index (deadline);

CREATE OR REPLACE FUNCTION nds_clock_ms() RETURNS bigint
LANGUAGE sql VOLATILE AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;

-- Loads a session: follows a live grace pointer, drops a session past a deadline ('expired'),
-- slides the idle deadline when due and raises the fence when asked (a lock was just granted).
CREATE OR REPLACE FUNCTION nds_load(
  p_id text, p_now bigint, p_idle bigint, p_slide_after bigint, p_raise boolean
) RETURNS TABLE (
  status text, aliased boolean, slid boolean, data jsonb, meta jsonb, version bigint,
  fence bigint, created_at bigint, last_access_at bigint, absolute_deadline bigint
) LANGUAGE plpgsql AS $$
DECLARE
  v_id text := p_id;
  v_aliased boolean := false;
  v_target text;
  v_slid boolean;
  r nds_session%ROWTYPE;
BEGIN
  SELECT a.target INTO v_target FROM nds_session_alias a WHERE a.id = p_id AND a.expires_at > p_now;
  IF FOUND THEN
    v_id := v_target;
    v_aliased := true;
  END IF;
  SELECT * INTO r FROM nds_session s WHERE s.id = v_id;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'missing'::text, false, false, NULL::jsonb, NULL::jsonb, NULL::bigint,
      NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  IF p_now >= r.absolute_deadline OR p_now >= r.last_access_at + p_idle THEN
    DELETE FROM nds_session s WHERE s.id = v_id
      AND (p_now >= s.absolute_deadline OR p_now >= s.last_access_at + p_idle);
    RETURN QUERY SELECT 'expired'::text, false, false, NULL::jsonb, NULL::jsonb, NULL::bigint,
      NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  v_slid := p_now - r.last_access_at >= p_slide_after;
  IF v_slid OR p_raise THEN
    -- Only a read that writes takes the row lock; the conditions are checked again on the row
    -- as it is now, so a concurrent destroy or commit is never undone.
    UPDATE nds_session s SET
      last_access_at = CASE WHEN p_now - s.last_access_at >= p_slide_after
        THEN p_now ELSE s.last_access_at END,
      expires_at = CASE WHEN p_now - s.last_access_at >= p_slide_after
        THEN least(p_now + p_idle, s.absolute_deadline) ELSE s.expires_at END,
      fence = s.fence + CASE WHEN p_raise THEN 1 ELSE 0 END
    WHERE s.id = v_id AND p_now < s.absolute_deadline AND p_now < s.last_access_at + p_idle
    RETURNING s.* INTO r;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'missing'::text, false, false, NULL::jsonb, NULL::jsonb, NULL::bigint,
        NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint;
      RETURN;
    END IF;
    v_slid := v_slid AND r.last_access_at = p_now;
  END IF;
  RETURN QUERY SELECT 'found'::text, v_aliased, v_slid, r.data, r.meta, r.version, r.fence,
    r.created_at, r.last_access_at, r.absolute_deadline;
END $$;

-- Commits a change set: creates, or merges per key in one UPDATE that checks the deadlines, the
-- version (optimistic mode) and the fence (locked mode) on the row as it is; optionally moves the
-- session to a new key in the same UPDATE (regeneration, rotation) and leaves a grace pointer.
-- p_grace: NULL for a regeneration, the grace in ms for a rotation. p_release: the value of the
-- lock to release with this commit (whatever the outcome), or NULL.
CREATE OR REPLACE FUNCTION nds_commit(
  p_id text, p_target text, p_now bigint, p_idle bigint, p_create_deadline bigint,
  p_expected bigint, p_fence bigint, p_clear boolean, p_release text, p_grace bigint,
  p_set jsonb, p_delete text[], p_meta_set jsonb, p_meta_delete text[]
) RETURNS TABLE (status text, version bigint, expires_at bigint, aliased boolean, stored bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_key text := p_id;
  v_aliased boolean := false;
  v_target text;
  v_new text;
  v_version bigint;
  v_expires bigint;
  r nds_session%ROWTYPE;
BEGIN
  IF p_release IS NOT NULL THEN
    DELETE FROM nds_session_lock l WHERE l.id = p_id AND l.value = p_release;
  END IF;
  IF p_create_deadline IS NOT NULL THEN
    -- A session whose deadline passed (the app's clock ahead of the sweep) is replaced, not kept.
    INSERT INTO nds_session AS s (id, data, meta, version, fence, created_at, last_access_at,
      absolute_deadline, expires_at)
    VALUES (p_id, p_set - p_delete, jsonb_strip_nulls(p_meta_set) - p_meta_delete, 1, 0, p_now,
      p_now, p_create_deadline, least(p_now + p_idle, p_create_deadline))
    ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, meta = EXCLUDED.meta, version = 1,
      fence = 0, created_at = EXCLUDED.created_at, last_access_at = EXCLUDED.last_access_at,
      absolute_deadline = EXCLUDED.absolute_deadline, expires_at = EXCLUDED.expires_at
    WHERE p_now >= s.absolute_deadline OR p_now >= s.last_access_at + p_idle
    RETURNING s.version, s.expires_at INTO v_version, v_expires;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'exists'::text, NULL::bigint, NULL::bigint, false, NULL::bigint;
      RETURN;
    END IF;
    RETURN QUERY SELECT 'committed'::text, v_version, v_expires, false, NULL::bigint;
    RETURN;
  END IF;

  SELECT a.target INTO v_target FROM nds_session_alias a WHERE a.id = p_id AND a.expires_at > p_now;
  IF FOUND THEN
    v_key := v_target;
    v_aliased := true;
  END IF;
  -- A rotation that lost the race to a concurrent one stays where that one put the session.
  v_new := CASE WHEN p_target IS NULL OR (v_aliased AND p_grace IS NOT NULL) THEN v_key
    ELSE p_target END;
  UPDATE nds_session s SET
    id = v_new,
    data = (CASE WHEN p_clear THEN '{}'::jsonb ELSE s.data END || p_set) - p_delete,
    meta = (s.meta || jsonb_strip_nulls(p_meta_set)) - p_meta_delete,
    version = s.version + 1,
    last_access_at = p_now,
    expires_at = least(p_now + p_idle, s.absolute_deadline)
  WHERE s.id = v_key
    AND p_now < s.absolute_deadline AND p_now < s.last_access_at + p_idle
    AND (p_expected IS NULL OR s.version = p_expected)
    AND (p_fence IS NULL OR s.fence <= p_fence)
  RETURNING s.version, s.expires_at INTO v_version, v_expires;

  IF NOT FOUND THEN
    -- Why not: the row as the UPDATE saw it last (version and fence only ever rise).
    SELECT * INTO r FROM nds_session s WHERE s.id = v_key;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'gone'::text, NULL::bigint, NULL::bigint, false, NULL::bigint;
    ELSIF p_now >= r.absolute_deadline OR p_now >= r.last_access_at + p_idle THEN
      -- Destroy wins, and so does expiry: a session past a deadline is never written again.
      DELETE FROM nds_session s WHERE s.id = v_key;
      RETURN QUERY SELECT 'gone'::text, NULL::bigint, NULL::bigint, false, NULL::bigint;
    ELSIF p_expected IS NOT NULL AND r.version <> p_expected THEN
      RETURN QUERY SELECT 'conflict'::text, NULL::bigint, NULL::bigint, false, r.version;
    ELSE
      RETURN QUERY SELECT 'fenced'::text, NULL::bigint, NULL::bigint, false, r.fence;
    END IF;
    RETURN;
  END IF;

  IF v_new <> v_key THEN
    DELETE FROM nds_session_alias a WHERE a.id = p_id;
    IF NOT v_aliased AND coalesce(p_grace, 0) > 0 THEN
      INSERT INTO nds_session_alias (id, target, expires_at) VALUES (p_id, v_new, p_now + p_grace)
      ON CONFLICT (id) DO UPDATE SET target = EXCLUDED.target, expires_at = EXCLUDED.expires_at;
    END IF;
  END IF;
  RETURN QUERY SELECT 'committed'::text, v_version, v_expires, v_aliased, NULL::bigint;
END $$;

-- Removes a session, also through a live grace pointer (and the pointer); true when it existed.
CREATE OR REPLACE FUNCTION nds_destroy(p_id text, p_now bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_target text;
BEGIN
  DELETE FROM nds_session_alias a WHERE a.id = p_id RETURNING a.target INTO v_target;
  IF v_target IS NOT NULL THEN
    DELETE FROM nds_session s WHERE s.id = v_target;
    RETURN FOUND;
  END IF;
  DELETE FROM nds_session s WHERE s.id = p_id;
  RETURN FOUND;
END $$;

-- Updates a principal's index: prunes members past their deadline, removes p_remove, adds one;
-- returns how many of p_remove were members and the members left, earliest deadline first.
CREATE OR REPLACE FUNCTION nds_index(
  p_principal text, p_now bigint, p_remove text[], p_add text, p_add_deadline bigint
) RETURNS TABLE (removed integer, handles text[], deadlines bigint[])
LANGUAGE plpgsql AS $$
DECLARE
  v_removed integer;
BEGIN
  DELETE FROM nds_principal_index i WHERE i.principal_id = p_principal AND i.deadline <= p_now;
  DELETE FROM nds_principal_index i
    WHERE i.principal_id = p_principal AND i.handle = ANY (p_remove);
  GET DIAGNOSTICS v_removed = ROW_COUNT;
  IF p_add IS NOT NULL THEN
    INSERT INTO nds_principal_index (principal_id, handle, deadline)
    VALUES (p_principal, p_add, p_add_deadline)
    ON CONFLICT (principal_id, handle) DO UPDATE SET deadline = EXCLUDED.deadline;
  END IF;
  RETURN QUERY SELECT v_removed,
    coalesce(array_agg(i.handle ORDER BY i.deadline, i.handle COLLATE "C"), '{}'),
    coalesce(array_agg(i.deadline ORDER BY i.deadline, i.handle COLLATE "C"), '{}')
  FROM nds_principal_index i WHERE i.principal_id = p_principal;
END $$;

CREATE TABLE IF NOT EXISTS nds_schema_version (version integer PRIMARY KEY);
INSERT INTO nds_schema_version (version) VALUES (1) ON CONFLICT DO NOTHING;
