#!/bin/sh
# Fan-out benchmarks (docs/architecture.md): a headless Heartsim and bench/heart-load.
#
#   bench/fanout.sh [BUILD_DIR] SCENARIO [SECONDS]
#     mixed    1,000 WebSocket + 1,000 SSE clients at 2 Hz
#     fast     1,000 WebSocket clients at 50 Hz
#     many     5,000 WebSocket clients at 2 Hz
#     stalled  100 clients that never read + 100 that do, at 50 Hz
#     shutdown 1,000 WebSocket clients, then SIGTERM: exit time and 1001 close frames
#
# Loopback only; the server is started here and stopped by PID.
set -eu

build=${1:-_build}
scenario=${2:-mixed}
seconds=${3:-20}
port=18200

case "$scenario" in
  mixed)   interval=500; load="--ws 1000 --sse 1000" ;;
  fast)    interval=20;  load="--ws 1000" ;;
  many)    interval=500; load="--ws 5000 --threads 10 --warmup 3" ;;
  stalled) interval=20;  load="--ws 100 --stall 100" ;;
  shutdown) interval=500; load="--ws 1000 --terminate" ;;
  *) echo "fanout.sh: unknown scenario $scenario" >&2; exit 2 ;;
esac

log=$(mktemp)
"$build/src/heartsim" --headless --port $port --interval-ms $interval >/dev/null 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT INT TERM
sleep 0.3

echo "scenario $scenario: interval ${interval} ms, $load, ${seconds} s"
# shellcheck disable=SC2086
"$build/bench/heart-load" --port $port $load --duration "$seconds" --pid $server
kill -TERM $server 2>/dev/null || true
wait $server 2>/dev/null || true
echo "server log: $(grep -c 'Dropping' "$log" || true) clients dropped; first: $(grep -m1 'Dropping' "$log" || echo none)"
