#!/bin/bash
# The fan-out's shards against each other (docs/architecture.md, Fan-out): a
# headless Heartsim with --fanout-threads 0 (the server's own loop), 1 and 2,
# alternately, under the same load client, freshly started for each run.
#
#   bench/shards.sh BUILD_DIR SCENARIO [SECONDS] [RUNS] [THREADS...]
#     SCENARIO as bench/peers.sh: mixed, fast, many, huge (defaults: 10 s, 3 runs, 0 2)
#
# The load client is bench/heart-raw with 2 threads (HEART_LOAD names
# another). Prints one row per run, then the medians per thread count.
# Loopback only; every server is started here and stopped by its PID.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR mixed|fast|many|huge [SECONDS] [RUNS] [THREADS...]" >&2; exit 2; }
build=$1
scenario=$2
seconds=${3:-10}
runs=${4:-3}
shift $(( $# < 4 ? $# : 4 ))
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(0 2)
heartsim=${HEARTSIM:-$build/src/heartsim}
heart_load=${HEART_LOAD:-$build/bench/heart-raw}
port=18600

case "$scenario" in
  mixed) interval=500;  load="--ws 1000 --sse 1000" ;;
  fast)  interval=20;   load="--ws 1000" ;;
  many)  interval=500;  load="--ws 5000 --warmup 3" ;;
  huge)  interval=1000; load="--ws 10000 --warmup 5 --settle 180" ;;
  *) echo "shards.sh: unknown scenario $scenario" >&2; exit 2 ;;
esac

ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

wait_http() {
  for _ in $(seq 150); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "shards.sh: $1 did not answer" >&2
  return 1
}

# heart-raw's report -> ws_p50 ws_p99 sse_p50 sse_p99 gaps cpu
figures() {
  awk '
    BEGIN { ws50 = ws99 = sse50 = sse99 = gaps = cpu = "-" }
    /^WebSocket latency: p50/ { s = $0; sub(/.*latency: /, "", s); split(s, f, " "); ws50 = f[2]; ws99 = f[5] }
    /^SSE \(.*latency: p50/   { s = $0; sub(/.*latency: /, "", s); split(s, f, " "); sse50 = f[2]; sse99 = f[5] }
    /^WebSocket: / { s = $0; sub(/.*seq gaps /, "", s); sub(/[ ,].*/, "", s); gaps = s }
    /^server: CPU/ { s = $0; sub(/.*CPU /, "", s); sub(/ .*/, "", s); cpu = s }
    END { printf "%s\t%s\t%s\t%s\t%s\t%s\n", ws50, ws99, sse50, sse99, gaps, cpu }' "$1"
}

echo "scenario $scenario: interval $interval ms, $load, $seconds s, $runs runs, load client $(basename "$heart_load")"
printf "threads\trun\tws_p50\tws_p99\tsse_p50\tsse_p99\tgaps\tcpu%%\n"
for run in $(seq "$runs"); do
  for n in "${threads[@]}"; do
    "$heartsim" --headless --port $port --interval-ms $interval --fanout-threads "$n" >/dev/null 2>&1 &
    pid=$!
    wait_http "http://127.0.0.1:$port/health"
    # shellcheck disable=SC2086
    "$heart_load" --port $port $load --duration "$seconds" --pid "$pid" > "$work/out" 2>&1 || true
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
    printf "%s\t%s\t%s\n" "$n" "$run" "$(figures "$work/out")" | tee -a "$work/rows"
  done
done

echo "medians:"
for n in "${threads[@]}"; do
  awk -F'\t' -v n="$n" '
    function median(a, k,   i, j, t) {
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    $1 == n { k++; w50[k] = $3; w99[k] = $4; s50[k] = $5; s99[k] = $6 }
    END {
      if (!k) exit
      printf "  --fanout-threads %s: WS p50 %.1f p99 %.1f ms", n, median(w50, k), median(w99, k)
      if (s99[1] != "-") printf "; SSE age p50 %.1f p99 %.1f ms", median(s50, k), median(s99, k)
      printf "\n"
    }' "$work/rows"
done
