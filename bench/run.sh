#!/usr/bin/env bash
# Loadline benchmarks: throughput against nginx, latency accuracy, worker memory, read-side ingest.
# Usage: bash bench/run.sh [--only throughput|h2|accuracy|self-noise|memory|ingest|replay|query|readapi|fleet|live|start|agent] [--duration S]
# Prints a markdown table per section and writes them to bench/results/latest.md. Exits 0 when a
# goal is missed (the tables say so); non-zero only when the harness itself breaks.
# All load goes to 127.0.0.1; targets run on core 0, load generators on core 1. Without --duration
# each section uses its own: 10 s, 60 s for ingest (which needs NATS and Postgres, started if none answers).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

ONLY="throughput,h2,accuracy,self-noise,memory,ingest,replay,query,readapi,fleet,live,start,agent"
DURATION=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 64 ;;
  esac
done

selected() { [[ ",$ONLY," == *",$1,"* ]]; }

# NATS and Postgres for the ingest section: scripts/lib.sh starts them when none answers, and
# cleanup_started stops what it started.
source scripts/lib.sh
say() { echo "[bench] $*" >&2; }

# --- what the selected sections miss gets installed (Debian packages; autocannon is a root devDependency)
need=()
if selected throughput || selected h2 || selected accuracy || selected self-noise || selected memory || selected readapi || selected live; then command -v taskset >/dev/null || need+=(util-linux); fi
if selected self-noise; then
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
  command -v cc >/dev/null || need+=(gcc)
fi
if selected throughput; then
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
  command -v hey >/dev/null || need+=(hey)
  command -v locust >/dev/null || need+=(python3-locust)
fi
if selected throughput || selected accuracy; then command -v wrk >/dev/null || need+=(wrk); fi
if selected h2; then
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
  command -v h2load >/dev/null || need+=(nghttp2-client)
fi
if selected agent; then [ -x /usr/bin/prometheus-node-exporter ] || need+=(prometheus-node-exporter); fi
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  # Installing nginx may start the distribution's own nginx on port 80: the benchmark never uses it.
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"; } >&2 \
    || say "could not install some of ${need[*]}: their rows will say not available"
fi
export PATH="$PATH:/usr/sbin"
[ -x node_modules/.bin/autocannon ] && [ -e node_modules/tsx ] || { say "node_modules incomplete: run npm ci"; exit 1; }

# --- 10,000 connections need as many file descriptors in the worker and in the target
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -ge 65536 ]; then ulimit -n 65536; else ulimit -n "$hard"; fi
export BENCH_NOFILE=$(ulimit -n)
[ "$BENCH_NOFILE" -ge 10100 ] || ! selected memory || say "open files limit is $BENCH_NOFILE: the memory benchmark's 10,000 VUs will fail"

TMP=$(mktemp -d /tmp/loadline-bench.XXXXXX)
NGINX_PID=""
MAIN_PID=""
cleanup() {
  trap - EXIT INT TERM HUP
  if [ -n "$MAIN_PID" ] && kill -0 "$MAIN_PID" 2>/dev/null; then
    kill -TERM -- "-$MAIN_PID" 2>/dev/null || true
    sleep 1
    kill -KILL -- "-$MAIN_PID" 2>/dev/null || true
  fi
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$NGINX_PID" 2>/dev/null || true
  fi
  cleanup_started
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

if selected ingest || selected replay || selected query || selected readapi || selected fleet || selected live || selected start || selected agent; then
  { ensure_nats_running && ensure_postgres_running; } || say "no NATS or no Postgres: the ingest rows will say not available"
fi

# --- our own nginx, one worker pinned to core 0, for the throughput and h2 sections (h2: TLS with a
# self-signed certificate made here, which the generators are told to accept)
NGINX_URL=""
NGINX_H2_URL=""
if { selected throughput || selected h2 || selected self-noise; } && command -v nginx >/dev/null; then
  port=$(free_port)
  h2port=$(free_port)
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
  sed -e "s#@DIR@#$TMP#g" -e "s#@PORT@#$port#g" -e "s#@H2PORT@#$h2port#g" bench/nginx.conf > "$TMP/nginx.conf"
  taskset -c 0 nginx -p "$TMP" -e "$TMP/error.log" -c "$TMP/nginx.conf" &
  NGINX_PID=$!
  for _ in $(seq 1 50); do
    if node -e 'fetch(process.argv[1]).then(r=>r.text()).then(t=>process.exit(t==="ok"?0:1),()=>process.exit(1))' "http://127.0.0.1:$port/"; then
      NGINX_URL="http://127.0.0.1:$port/"
      break
    fi
    sleep 0.1
  done
  [ -n "$NGINX_URL" ] && say "nginx on $NGINX_URL (pid $NGINX_PID, core 0)" || say "nginx did not start: $(cat "$TMP/error.log" 2>/dev/null)"
  [ -n "$NGINX_URL" ] && NGINX_H2_URL="https://127.0.0.1:$h2port/" && say "nginx h2 on $NGINX_H2_URL"
fi

# --- the self-noise section's floor in C, built for this machine
if selected self-noise && command -v cc >/dev/null; then
  if cc -O2 -o "$TMP/floor-c" bench/self-noise/floor.c; then export BENCH_C_FLOOR="$TMP/floor-c"; else say "floor.c did not build"; fi
fi

# --- the harness in its own process group, so that cleanup reaches every process it started
export BENCH_NGINX_PID="$NGINX_PID"
setsid node --import tsx bench/main.ts --only "$ONLY" ${DURATION:+--duration "$DURATION"} ${NGINX_URL:+--nginx-url "$NGINX_URL"} \
  ${NGINX_H2_URL:+--nginx-h2-url "$NGINX_H2_URL"} &
MAIN_PID=$!
status=0
wait "$MAIN_PID" || status=$?
MAIN_PID=""
exit "$status"
