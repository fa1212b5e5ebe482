#!/bin/sh
# Many people in one headless process, no clients: the CPU of the process
# per person, its resident memory, and how long GET /subjects takes
# (bench/README.md, "Subjects").
#   bench/subjects.sh [path/to/heartsim] [seconds] [people:interval_ms ...]
set -eu
heartsim=${1:-_build/src/heartsim}
seconds=${2:-30}
shift 2 2>/dev/null || shift $#
runs=${*:-"1:500 100:500 1000:500 10000:1000"}
hz=$(getconf CLK_TCK)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for run in $runs; do
  people=${run%%:*}
  interval=${run##*:}
  "$heartsim" --headless --port 0 --seed 1 --subjects "$people" --interval-ms "$interval" >"$out" 2>&1 &
  pid=$!
  port=
  for _ in $(seq 1 600); do
    port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$out" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  # a minute of rings filling would flatter nothing: measure after a warm-up
  sleep 5
  start=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  sleep "$seconds"
  end=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
  list=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/subjects")
  kill "$pid"
  wait "$pid" || true
  awk -v p="$people" -v i="$interval" -v t=$((end - start)) -v hz="$hz" -v s="$seconds" \
      -v rss="$rss" -v list="$list" 'BEGIN {
    cpu = t / hz / s * 100
    printf "%6d people at %4d ms: CPU %5.1f %% of a core (%.4f %% a person, %.1f µs a tick), RSS %6.1f MB (%.1f KB a person), GET /subjects %.1f ms\n",
           p, i, cpu, cpu / p, t / hz / s * 1e6 / p / (1000 / i), rss / 1024, rss / p, list * 1000 }'
done
