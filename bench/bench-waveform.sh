#!/bin/sh
# Waveform fan-out (bench/README.md, "Waveforms"): a headless Heartsim and
# bench/bench-waveform-raw, N WebSocket clients of the 250 Hz ECG.
#
#   bench/bench-waveform.sh [BUILD_DIR] [SECONDS] [CLIENTS] [FANOUT_THREADS] [TYPES]
#
# Loopback only; the server is started here and stopped by PID.
set -eu

build=${1:-_build}
seconds=${2:-20}
clients=${3:-1000}
threads=${4:-}
types=${5:-ecg}
port=18210

log=$(mktemp)
# shellcheck disable=SC2086
"$build/src/heartsim" --headless --port $port ${threads:+--fanout-threads $threads} >/dev/null 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT INT TERM
sleep 0.3

echo "waveform: $clients clients of $types, ${seconds} s, fan-out threads ${threads:-default}"
"$build/bench/bench-waveform-raw" --port $port --clients "$clients" --types "$types" --duration "$seconds" --pid $server
kill -TERM $server 2>/dev/null || true
wait $server 2>/dev/null || true
echo "server log: $(grep -c 'Dropping' "$log" || true) clients dropped; first: $(grep -m1 'Dropping' "$log" || echo none)"
