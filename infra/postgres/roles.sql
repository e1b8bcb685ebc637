-- Loadline's two Postgres roles, for the database you connect to (run it once per database; it is
-- idempotent, so run it again after an upgrade that changes it, or to reset the grants):
--
--   loadline_owner  owns the schema and runs the migrations (DATABASE_MIGRATE_URL) and
--                   `loadline projections rebuild`, which builds tables in a schema of its own and
--                   moves them into public.
--   loadline_app    what the running services connect as (DATABASE_URL): reads and writes rows
--                   (SELECT, INSERT, UPDATE, DELETE; COPY ... FROM is an INSERT), takes advisory
--                   locks, and can neither create, alter, drop nor truncate anything.
--
-- Run it as a superuser (or as the database's owner holding CREATEROLE), with psql:
--
--   psql "postgres://admin@db:5432/loadline" -X -v ON_ERROR_STOP=1 \
--     -v owner_password="$LOADLINE_OWNER_PASSWORD" -v app_password="$LOADLINE_APP_PASSWORD" \
--     -f infra/postgres/roles.sql
--
-- Optional variables: owner_role and app_role (the roles' names; loadline_owner and loadline_app
-- when unset). Without a password variable the role's password is left as it is (none for a new
-- role: for certificate, peer or IAM authentication).
--
-- A database the services already migrated as another user is adopted: its tables (in public
-- and drizzle) are given to the owner role, so that the next migration may alter them.
--
-- Tied to the code: "drizzle" is the schema of the migrations' history
-- (packages/projections/src/migrate.ts); the running services read it, to skip migrating when
-- nothing is due.

\set ON_ERROR_STOP on
\if :{?owner_role}
\else
  \set owner_role loadline_owner
\endif
\if :{?app_role}
\else
  \set app_role loadline_app
\endif

-- The roles: created when missing, both allowed to log in. Nothing else (no SUPERUSER,
-- CREATEDB, CREATEROLE, BYPASSRLS): what CREATE ROLE gives by default.
SELECT format('CREATE ROLE %I', :'owner_role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner_role') \gexec
SELECT format('CREATE ROLE %I', :'app_role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec
ALTER ROLE :"owner_role" LOGIN;
ALTER ROLE :"app_role" LOGIN;
\if :{?owner_password}
  ALTER ROLE :"owner_role" PASSWORD :'owner_password';
\endif
\if :{?app_password}
  ALTER ROLE :"app_role" PASSWORD :'app_password';
\endif

-- A non-superuser running this (a managed Postgres's admin) must be a member of the owner role
-- to hand it the schema and set its default privileges.
SELECT NOT rolsuper AS not_superuser FROM pg_roles WHERE rolname = current_user \gset
\if :not_superuser
  GRANT :"owner_role" TO CURRENT_USER;
\endif

-- The database: the owner may create schemas (drizzle's, and a rebuild's rebuild_<name>_<ms>);
-- the app may connect. Nobody else creates temporary tables here (PUBLIC may by default):
-- the services use none.
SELECT format('GRANT CONNECT, CREATE ON DATABASE %I TO %I', current_database(), :'owner_role') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'app_role') \gexec
SELECT format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()) \gexec

-- The schemas, owned by the owner role. Only it creates in them (Postgres 14 and older let
-- PUBLIC create in public).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"owner_role";
CREATE SCHEMA IF NOT EXISTS drizzle AUTHORIZATION :"owner_role";
ALTER SCHEMA drizzle OWNER TO :"owner_role";

-- Adopting a database migrated as another user: its tables (with their serial sequences) go to
-- the owner role.
SELECT format('ALTER TABLE %I.%I OWNER TO %I', schemaname, tablename, :'owner_role')
  FROM pg_tables
  WHERE schemaname IN ('public', 'drizzle') AND tableowner <> :'owner_role' \gexec

-- What the app may do with the tables there now.
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
GRANT USAGE ON SCHEMA drizzle TO :"app_role";
GRANT SELECT ON ALL TABLES IN SCHEMA drizzle TO :"app_role";

-- ... and with every table the owner creates later: by a migration, or by a rebuild, in a schema
-- of its own before it moves the tables into public (grants move with a table). Hence in any
-- schema, not IN SCHEMA public. The migrations' history, created by the first migration, is
-- covered too: on a database migrated after this ran, the app could also write it.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
