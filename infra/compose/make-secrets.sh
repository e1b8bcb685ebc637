#!/usr/bin/env bash
# Makes what a Loadline deployment keeps secret, in DIR (default: infra/compose/secrets, where
# docker-compose.yml looks), and never replaces what is there: run it again after an upgrade
# and it adds only what is missing (a new NATS user, say). The secrets keyring above all must
# survive: it opens every secret sealed so far.
#
#   infra/compose/make-secrets.sh [DIR [SAN...]]
#
#   nats-server.env  NATS_<USER>_PASSWORD for every user of infra/nats/accounts.conf: nats-server's
#                    environment (it refuses to start while one is unset)
#   nats-<user>.env  NATS_PASSWORD of that user alone: a service's environment
#   nats-tls/        scripts/gen-nats-certs.sh: ca.pem (NATS_TLS_CA_FILE), server-cert.pem,
#                    server-key.pem, ... for the SANs `nats` and the SANs given
#   admin-key        the bootstrap key (LL_BOOTSTRAP_KEY_FILE), the platform admin's: keep it like a root password
#   secrets.key      the secrets keyring (LL_SECRETS_KEY_FILE) of the API, the workers and the projections (webhooks)
#   postgres.env     POSTGRES_PASSWORD (compose's superuser), LOADLINE_OWNER_PASSWORD and
#                    LOADLINE_APP_PASSWORD (infra/postgres/roles.sql's roles)
#   db.env           DATABASE_URL: the app role on compose's Postgres (the API, the projections)
#   migrate.env      DATABASE_MIGRATE_URL: the owner role on compose's Postgres (the migrate step)
#
# Kubernetes uses the same files (docs/operations.md, Deploy): give the NATS pods' names as SANs,
#   infra/compose/make-secrets.sh ~/loadline-secrets nats-0.nats.loadline.svc nats-1.nats.loadline.svc nats-2.nats.loadline.svc
# Passwords are `p` and 48 hex digits: nats-server reads a password as configuration, so letters
# and digits beginning with a letter are the safe ones, and they need no escaping in a URL.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${1:-$here/secrets}
[ "$#" -gt 0 ] && shift
accounts="$root/infra/nats/accounts.conf"

umask 077
mkdir -p "$dir"
chmod 700 "$dir"
# Never committed, wherever DIR is.
[ -e "$dir/.gitignore" ] || printf '*\n' >"$dir/.gitignore"

password() { printf 'p%s' "$(openssl rand -hex 24)"; }
# The value of KEY in an env file, or nothing.
value_of() { sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1; }

# NATS: one password per user of accounts.conf (`{ user: worker, password: $NATS_WORKER_PASSWORD, ... }`).
users=$(sed 's/#.*//' "$accounts" | grep -oE 'user: *[A-Za-z0-9_-]+, *password: *\$[A-Z0-9_]+' |
  sed -E 's/user: *([A-Za-z0-9_-]+), *password: *\$([A-Z0-9_]+)/\1 \2/')
[ -n "$users" ] || { echo "no users found in $accounts" >&2; exit 1; }
touch "$dir/nats-server.env"
while read -r user var; do
  pw=$(value_of "$dir/nats-server.env" "$var")
  if [ -z "$pw" ]; then
    pw=$(password)
    printf '%s=%s\n' "$var" "$pw" >>"$dir/nats-server.env"
  fi
  printf 'NATS_PASSWORD=%s\n' "$pw" >"$dir/nats-$user.env"
done <<<"$users"

[ -e "$dir/nats-tls/ca.pem" ] || bash "$root/scripts/gen-nats-certs.sh" "$dir/nats-tls" nats "$@"

# The containers' user (uid 10001) reads these through bind mounts: world-readable files in a
# directory only its owner may enter.
if [ ! -e "$dir/admin-key" ]; then
  printf 'llk_00000000-0000-0000-0000-000000000000_%s\n' "$(openssl rand -hex 32)" >"$dir/admin-key"
fi
if [ ! -e "$dir/secrets.key" ]; then
  printf '# Loadline secrets keyring: kid:base64key, the primary first. Keep it private.\nk%s%s:%s\n' \
    "$(date -u +%Y%m%d)" "$(openssl rand -hex 2)" "$(openssl rand -base64 32)" >"$dir/secrets.key"
fi
chmod 644 "$dir/admin-key" "$dir/secrets.key" "$dir/nats-tls/ca.pem"

if [ ! -e "$dir/postgres.env" ]; then
  printf 'POSTGRES_PASSWORD=%s\nLOADLINE_OWNER_PASSWORD=%s\nLOADLINE_APP_PASSWORD=%s\n' "$(password)" "$(password)" "$(password)" \
    >"$dir/postgres.env"
fi
printf 'DATABASE_URL=postgres://loadline_app:%s@postgres:5432/loadline\n' "$(value_of "$dir/postgres.env" LOADLINE_APP_PASSWORD)" \
  >"$dir/db.env"
printf 'DATABASE_MIGRATE_URL=postgres://loadline_owner:%s@postgres:5432/loadline\n' \
  "$(value_of "$dir/postgres.env" LOADLINE_OWNER_PASSWORD)" >"$dir/migrate.env"

echo "Loadline's secrets are in $dir" >&2
