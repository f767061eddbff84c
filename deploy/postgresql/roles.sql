-- projfacts on PostgreSQL: who may do what to the log (issue: a log no one can rewrite).
--
--   projfacts_owner  owns the tables and runs the migrations (projfacts migrate), nothing else
--   projfacts_app    every projfacts process (import, serve, ingest, relay, workers, reports, replay):
--                    SELECT and INSERT on the log — never UPDATE, DELETE or TRUNCATE — and owns the
--                    read models and the ingest's tables, which are disposable (replay drops and
--                    renames them, and creates their shadows)
--
-- Run once as a superuser in the projfacts database, before the first `projfacts migrate`:
--   psql -v owner_password="'…'" -v app_password="'…'" -d projfacts -f deploy/postgresql/roles.sql
-- then migrate as the owner, and grant the app role its rights on what the migrations made:
--   PROJFACTS_DB=postgresql://projfacts_owner:…@db/projfacts projfacts migrate
--   psql -d projfacts -c "SELECT projfacts_grant_app()"
-- (projfacts_grant_app is idempotent: run it again after every migration.)
-- Migration 0009 adds a trigger that refuses UPDATE, DELETE and TRUNCATE on `events` even to the
-- owner; `projfacts verify-log` re-checks every content hash and the positions, for what a
-- superuser could still do.

CREATE ROLE projfacts_owner LOGIN PASSWORD :owner_password;
CREATE ROLE projfacts_app LOGIN PASSWORD :app_password;
GRANT CONNECT ON DATABASE current_database() TO projfacts_owner, projfacts_app;
GRANT USAGE, CREATE ON SCHEMA public TO projfacts_owner, projfacts_app;
GRANT projfacts_app TO projfacts_owner;  -- so later migrations may still alter the app's tables

CREATE OR REPLACE FUNCTION projfacts_grant_app() RETURNS void LANGUAGE plpgsql AS $$
DECLARE t record;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    IF t.tablename = 'events' THEN
      EXECUTE format('GRANT SELECT, INSERT ON %I TO projfacts_app', t.tablename);
      EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM projfacts_app', t.tablename);
    ELSIF t.tablename = 'alembic_version' THEN
      EXECUTE format('GRANT SELECT ON %I TO projfacts_app', t.tablename);
    ELSE  -- read models, checkpoints, tokens, the refusal audit: rebuilt or kept by the app
      EXECUTE format('ALTER TABLE %I OWNER TO projfacts_app', t.tablename);
    END IF;
  END LOOP;
  EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ' || quote_ident(current_schema()) || ' TO projfacts_app';
END $$;
