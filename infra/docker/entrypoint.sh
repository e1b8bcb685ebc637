#!/bin/sh
# The image's entry point: the first argument names the service, the rest go to it.
#   api           the REST API and web console (loadline api)             port 8080
#   orchestrator  commands in, events out; plans and times runs           port 9101
#   worker        generates load                                          port 9102
#   projections   the read model in Postgres                              port 9103
#   agent         the control agent beside a system under test            port 9104
#   migrate       the projections' migrations as DATABASE_MIGRATE_URL, then exit
#   loadline ...  the CLI (events tail, events export, projections status, projections rebuild, ...)
# Anything else runs as given (`sh`, `node -e ...`). `exec`: node is PID 1 and gets SIGTERM itself,
# so each service finishes the work it holds before it exits.
set -eu
cd /app
service=${1:-api}
[ "$#" -gt 0 ] && shift
case "$service" in
  api) exec node --enable-source-maps packages/loadline/dist/cli.js api "$@" ;;
  orchestrator) exec node --enable-source-maps packages/orchestrator/dist/main.js "$@" ;;
  worker) exec node --enable-source-maps packages/worker/dist/main.js "$@" ;;
  projections) exec node --enable-source-maps packages/projections/dist/main.js "$@" ;;
  agent) exec node --enable-source-maps packages/agent/dist/main.js "$@" ;;
  migrate) exec node --enable-source-maps packages/projections/dist/main.js migrate "$@" ;;
  loadline) exec node --enable-source-maps packages/loadline/dist/cli.js "$@" ;;
  *) exec "$service" "$@" ;;
esac
