#!/usr/bin/env bash
# npm run chaos: install what is missing, then break things on real processes (see chaos/).
# Each scenario starts its own nats-server(s) on free ports; scenario 5 its own Postgres. The
# others use a database on the Postgres at 127.0.0.1:5432, started here when none answers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
trap cleanup_started EXIT

ensure_node_modules
ensure_nats_binary
ensure_postgres_binary
ensure_postgres_running

say "chaos: 8 scenarios, about 5 minutes"
npx vitest run --config chaos/vitest.config.ts "$@"
