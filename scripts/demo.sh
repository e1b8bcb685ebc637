#!/usr/bin/env bash
# npm run demo: install what is missing, start the embedded stack, run a test against the demo target, print the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
[ -n "${NATS_URL:-}" ] || ensure_nats_binary
exec npx tsx packages/loadline/src/cli.ts demo "$@"
