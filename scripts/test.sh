#!/usr/bin/env bash
# npm test: install what is missing, start NATS and Postgres when none answers, typecheck, lint, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
trap cleanup_started EXIT

ensure_node_modules
ensure_nats_running
ensure_postgres_running
ensure_chromium
ensure_prometheus
ensure_locust
ensure_cc

export TURBO_TELEMETRY_DISABLED=1
say "typecheck"
# One program for every package but the console, with bench, chaos and test: each file checked once
# (`npm run typecheck` runs each package's own, which re-checks what it imports).
npx tsc -p tsconfig.check.json
npx tsc -p packages/console

say "format and lint (biome; npm run format fixes what it can)"
npx biome check --diagnostic-level=error .

say "tests"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest-report.json "$@" || status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync(".vitest-report.json", "utf8"));
console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit $status
