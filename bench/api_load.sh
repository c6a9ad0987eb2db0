#!/usr/bin/env bash
# REST API load benchmark (issue #7 target: 5,000 requests/s at p99 <= 10 ms on loopback): wrk (Debian package
# `wrk`, not a build dependency) against GET /api/sessions/{id} with an operator token, on a database of real
# sessions written by the live demo (`make demo` first). Usage: bench/api_load.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
DURATION=${1:-10}
CONNECTIONS=${2:-32}
BIN=${BIN:-build/voltpool}
DB=${DB:-out/demo/voltpool.db}
PORT=${PORT:-18300}
command -v wrk > /dev/null || { echo "api_load: needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -f "$DB" ] || { echo "api_load: no $DB; run 'make demo' first" >&2; exit 1; }
token=$("$BIN" tokens create --db "$DB" --role operator)
"$BIN" serve --db "$DB" --port "$PORT" > /dev/null 2>&1 &
serve_pid=$!
trap 'kill -TERM $serve_pid 2>/dev/null || true' EXIT
sleep 1
echo "== GET /api/sessions/1 (authenticated), $CONNECTIONS connections, $DURATION s"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/sessions/1"
echo "== GET /healthz"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/healthz"
