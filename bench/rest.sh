#!/bin/sh
# REST benchmark (docs/architecture.md): wrk against GET /heartbeat/current with 64
# connections, Heartsim headless next to a bare SoupServer that returns a
# fixed JSON (the reference point) and the same server accepting through
# Heartsim's connection layer (bare-soup --connections: the floor of a
# libsoup 3.2 server that does not leak descriptors), alternating, several
# runs each; then the medians and ratios.
#
#   bench/rest.sh [BUILD_DIR] [SECONDS] [RUNS]     (defaults: _build 10 3)
#
# Loopback only; both servers are started here and stopped by PID.
set -eu

build=${1:-_build}
seconds=${2:-10}
runs=${3:-3}
heartsim_port=18080
bare_port=18081
conn_port=18082

command -v wrk >/dev/null || { echo "rest.sh: wrk is not installed (build-aux/install-deps.sh bench)" >&2; exit 1; }

"$build/src/heartsim" --headless --port $heartsim_port >/dev/null &
heartsim_pid=$!
"$build/bench/bare-soup" $bare_port &
bare_pid=$!
"$build/bench/bare-soup" $conn_port --connections &
conn_pid=$!
rows=$(mktemp)
trap 'kill $heartsim_pid $bare_pid $conn_pid 2>/dev/null || true; rm -f "$rows"' EXIT INT TERM

# both answer within a second or two of launch
for i in $(seq 50); do
  if wrk -t1 -c1 -d1s "http://127.0.0.1:$heartsim_port/health" >/dev/null 2>&1 &&
     wrk -t1 -c1 -d1s "http://127.0.0.1:$bare_port/" >/dev/null 2>&1 &&
     wrk -t1 -c1 -d1s "http://127.0.0.1:$conn_port/" >/dev/null 2>&1; then
    break
  fi
  sleep 0.1
done

# one wrk thread: the server is single-threaded and the machine has 2 cores
run() {
  wrk -t1 -c64 -d"${seconds}s" --latency "$1" |
    awk -v what="$2" '/Requests\/sec/ { rps = $2 } / 99%/ { p99 = $2 } / 50%/ { p50 = $2 }
                      END { printf "%-9s %10s req/s   p50 %8s   p99 %8s\n", what, rps, p50, p99 }' |
    tee -a "$rows"
}

for i in $(seq "$runs"); do
  run "http://127.0.0.1:$heartsim_port/heartbeat/current" heartsim
  run "http://127.0.0.1:$bare_port/" bare-soup
  run "http://127.0.0.1:$conn_port/" soup+conn
done

# medians, and heartsim's against each reference
awk '
  function median(a, k,   i, j, t) {
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  { n[$1]++; v[$1, n[$1]] = $2 }
  END {
    for (who in n) { k = n[who]; for (i = 1; i <= k; i++) x[i] = v[who, i]; m[who] = median(x, k) }
    printf "medians: heartsim %.0f, bare-soup %.0f, soup+conn %.0f req/s\n", m["heartsim"], m["bare-soup"], m["soup+conn"]
    printf "heartsim/bare-soup %.2f, heartsim/soup+conn %.2f, soup+conn/bare-soup %.2f\n",
           m["heartsim"] / m["bare-soup"], m["heartsim"] / m["soup+conn"], m["soup+conn"] / m["bare-soup"]
  }' "$rows"
