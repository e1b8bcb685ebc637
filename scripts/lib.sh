#!/usr/bin/env bash
# Shared by demo.sh and test.sh: install what is missing, start what is not running.
set -euo pipefail

say() { printf '\033[1m[loadline]\033[0m %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-; }

wait_port() {
  for _ in $(seq 1 100); do port_open "$1" && return 0; sleep 0.1; done
  say "nothing answers on 127.0.0.1:$1"; return 1
}

ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

APT_UPDATED=0
apt_install() { # apt_install PACKAGE...
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "please install: $* (Debian: sudo apt-get install $*)"; return 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  say "installing $* with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

nats_bin() { command -v nats-server || ls /usr/sbin/nats-server 2>/dev/null || true; }

ensure_nats_binary() { [ -n "$(nats_bin)" ] || apt_install nats-server; }

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

ensure_postgres_binary() { [ -n "$(pg_bindir)" ] || apt_install postgresql; }
# The browser the report's PDF is printed with, and the report's render test drives.
ensure_chromium() { [ -x /usr/bin/chromium ] || apt_install chromium; }
# The real Prometheus the observability tests start (remote write receiver, the shipped scrape configs).
ensure_prometheus() { [ -x /usr/bin/prometheus ] || apt_install prometheus; }
# Locust, which the Locust engine runs locustfiles with (docs/locust.md), and its tests start.
ensure_locust() { command -v locust >/dev/null || apt_install python3-locust; }
# A C compiler: the self-noise benchmark's floor in C (bench/self-noise/floor.c), which its test builds.
ensure_cc() { command -v cc >/dev/null || apt_install gcc; }

STARTED_PIDS=()
cleanup_started() {
  for pid in "${STARTED_PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  if [ -n "${LL_PGDATA:-}" ]; then su postgres -s /bin/sh -c "$(pg_bindir)/pg_ctl -D $LL_PGDATA -m fast stop" >/dev/null 2>&1 || true; fi
}

# NATS with JetStream at 127.0.0.1:4222, started for this run when none answers.
ensure_nats_running() {
  port_open 4222 && return 0
  ensure_nats_binary
  local dir; dir=$(mktemp -d /tmp/loadline-nats.XXXXXX)
  say "starting nats-server with JetStream on 127.0.0.1:4222 (store $dir)"
  "$(nats_bin)" -a 127.0.0.1 -p 4222 -js -sd "$dir" >"$dir/nats.log" 2>&1 &
  STARTED_PIDS+=($!)
  wait_port 4222
}

# Postgres at 127.0.0.1:5432 with trust auth for user postgres, started when none answers.
ensure_postgres_running() {
  port_open 5432 && return 0
  ensure_postgres_binary
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
    local version; version=$(ls /etc/postgresql | sort -V | tail -1)
    say "starting the Debian cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    if wait_port 5432 && psql -h 127.0.0.1 -U postgres -c 'select 1' >/dev/null 2>&1; then return 0; fi
  fi
  LL_PGDATA=$(mktemp -d /tmp/loadline-pg.XXXXXX)
  chown postgres "$LL_PGDATA" 2>/dev/null || true
  say "initialising a throwaway Postgres in $LL_PGDATA on 127.0.0.1:5432"
  local run_as=(su postgres -s /bin/sh -c)
  [ "$(id -u)" = 0 ] || run_as=(sh -c)
  "${run_as[@]}" "$(pg_bindir)/initdb -D $LL_PGDATA -A trust -U postgres >/dev/null"
  "${run_as[@]}" "$(pg_bindir)/pg_ctl -D $LL_PGDATA -o '-c listen_addresses=127.0.0.1 -p 5432 -k /tmp' -l $LL_PGDATA/log start >/dev/null"
  wait_port 5432
}
