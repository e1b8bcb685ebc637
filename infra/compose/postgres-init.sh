#!/bin/sh
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d):
# Loadline's two roles, loadline_owner (migrations) and loadline_app (the services), from
# infra/postgres/roles.sql, with the passwords of secrets/postgres.env (make-secrets.sh).
set -eu
psql -X -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$LOADLINE_OWNER_PASSWORD" -v app_password="$LOADLINE_APP_PASSWORD" \
  -f /loadline/roles.sql
