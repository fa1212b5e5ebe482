#!/bin/bash
# Heartsim against the Python prototypes it replaces (bench/peers/README.md),
# with the same client and the same scenarios, one server at a time and
# alternating: heartsim, peer, heartsim, peer ... for RUNS runs, each server
# freshly started for its run. WebSocket and REST compare with the heartbeat
# simulation API (bench/peers/heartbeat_sim.py), SSE with Bio Mock
# (bench/peers/bio_mock.py), REST with bench/bare-soup too.
#
#   bench/peers.sh BUILD_DIR SCENARIO [SECONDS] [RUNS]    (defaults: mixed 20 3)
#     mixed  1,000 WebSocket + 1,000 SSE at 2 Hz (the peer side is both
#            prototypes at once: WebSocket from one, SSE from the other)
#     fast   1,000 WebSocket at 50 Hz (the prototype's sleep set to 20 ms)
#     many   5,000 WebSocket at 2 Hz
#     huge   10,000 WebSocket at 1 Hz
#     rest   wrk -t1 -c64 on GET /heartbeat/current; bare-soup on /
#
# BUILD_DIR holds src/heartsim, bench/heart-load and bench/bare-soup; HEARTSIM,
# HEART_LOAD and BARE_SOUP name other binaries, HEARTSIM_ARGS adds options to
# heartsim's (e.g. "--fanout-threads 0"), LOAD_ARGS to the load client's. Prints one row per run, then
# the medians and heartsim/peer ratios. Loopback only; every server is
# started here and stopped by its PID. Needs python3-fastapi, python3-uvicorn
# and wrk (build-aux/install-deps.sh bench).
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

usage() { echo "usage: $0 BUILD_DIR mixed|fast|many|huge|rest [SECONDS] [RUNS]" >&2; exit 2; }
[ $# -ge 2 ] || usage
build=$1
scenario=$2
seconds=${3:-20}
runs=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
heartsim=${HEARTSIM:-$build/src/heartsim}
heart_load=${HEART_LOAD:-$build/bench/heart-load}
bare_soup=${BARE_SOUP:-$build/bench/bare-soup}
python=/usr/bin/python3
hs_port=18500 hb_port=18501 bm_port=18502 bare_port=18503

case "$scenario" in
  mixed) interval=500;  load="--ws 1000 --sse 1000" ;;
  fast)  interval=20;   load="--ws 1000" ;;
  many)  interval=500;  load="--ws 5000 --threads 10 --warmup 3" ;;
  huge)  interval=1000; load="--ws 10000 --threads 10 --warmup 5 --settle 180" ;;
  rest)  interval=500;  load="" ;;
  *) usage ;;
esac

[ -x "$heartsim" ] || { echo "peers.sh: no $heartsim (build it, or set HEARTSIM)" >&2; exit 1; }
if [ "$scenario" = rest ]; then
  command -v wrk >/dev/null || { echo "peers.sh: wrk is missing (build-aux/install-deps.sh bench)" >&2; exit 1; }
  [ -x "$bare_soup" ] || { echo "peers.sh: no $bare_soup (or set BARE_SOUP)" >&2; exit 1; }
else
  "$heart_load" --help 2>/dev/null | grep -q -- --sse-port ||
    { echo "peers.sh: $heart_load is missing or older than --sse-port (set HEART_LOAD)" >&2; exit 1; }
fi
"$python" -c 'import fastapi, uvicorn' 2>/dev/null ||
  { echo "peers.sh: FastAPI or uvicorn is missing (build-aux/install-deps.sh bench)" >&2; exit 1; }

# 10,000 clients need 10,000 descriptors in heart-load and as many in the
# server, which inherits this limit; as root the hard limit may rise too
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
started=""
cleanup() {
  for pid in $started; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

wait_http() {  # URL: true once it answers 2xx, within 15 s
  for _ in $(seq 150); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "peers.sh: $1 did not answer" >&2
  return 1
}

stop() {  # PID: SIGTERM, then SIGKILL after 10 s
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Each sets $pid; the Python ones run as their READMEs run them (uvicorn, no
# --reload, which only adds a file watcher), access log included
start_heartsim() {
  # shellcheck disable=SC2086
  "$heartsim" --headless --port $hs_port --interval-ms "$interval" ${HEARTSIM_ARGS:-} >/dev/null 2>>"$work/heartsim.log" &
  pid=$!; started="$started $pid"
  wait_http "http://127.0.0.1:$hs_port/health"
}
start_heartbeat_peer() {
  HEARTBEAT_INTERVAL_MS=$interval "$python" -m uvicorn --app-dir "$here/peers" heartbeat_sim:app \
    --host 127.0.0.1 --port $hb_port >/dev/null 2>>"$work/peer.log" &
  pid=$!; started="$started $pid"
  wait_http "http://127.0.0.1:$hb_port/health"
  # the prototype makes no sample until told to
  curl -sf -o /dev/null -X POST "http://127.0.0.1:$hb_port/simulation/start"
}
start_bio_mock() {
  "$python" -m uvicorn --app-dir "$here/peers" bio_mock:app \
    --host 127.0.0.1 --port $bm_port >/dev/null 2>>"$work/peer.log" &
  pid=$!; started="$started $pid"
  wait_http "http://127.0.0.1:$bm_port/openapi.json"
}
start_bare_soup() {
  "$bare_soup" $bare_port &
  pid=$!; started="$started $pid"
  wait_http "http://127.0.0.1:$bare_port/"
}

cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# heart-load's report -> ws_p50 ws_p99 sse_p50 sse_p99 ws_rate sse_rate gaps cpu rss
figures() {
  awk '
    function num_before(text, unit,   s) {   # the number just before unit
      if (!match(text, "[0-9.]+ " unit)) return "-"
      s = substr(text, RSTART, RLENGTH); sub(" .*", "", s); return s
    }
    BEGIN { ws50 = ws99 = sse50 = sse99 = wsr = sser = gaps = "-"; cpu = rss = 0; have = 0 }
    /^WebSocket latency: p50/ { s = $0; sub(/.*latency: /, "", s); split(s, f, " "); ws50 = f[2]; ws99 = f[5] }
    /^SSE \(.*latency: p50/   { s = $0; sub(/.*latency: /, "", s); split(s, f, " "); sse50 = f[2]; sse99 = f[5] }
    /^WebSocket: / { wsr = num_before($0, "per client"); s = $0; sub(/.*seq gaps /, "", s); sub(/[ ,].*/, "", s); gaps = s }
    /^SSE: /       { sser = num_before($0, "per client") }
    /^server: CPU/ || /^SSE server: CPU/ { s = $0; sub(/.*CPU /, "", s); cpu += s + 0; rss += num_before($0, "MB after") + 0; have = 1 }
    END {
      if (wsr == "0.00") { wsr = "-"; gaps = "-" }
      if (sser == "0.00") sser = "-"
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ws50, ws99, sse50, sse99, wsr, sser, gaps,
             have ? sprintf("%.1f", cpu) : "-", have ? sprintf("%.1f", rss) : "-"
    }' "$1"
}

rows=$work/rows.tsv
: > "$rows"

stream_run() {  # SYSTEM RUN
  local system=$1 run=$2 log=$work/load.log args pid2=""
  if [ "$system" = heartsim ]; then
    start_heartsim
    args="--port $hs_port --pid $pid"
  else
    start_heartbeat_peer
    args="--port $hb_port --pid $pid"
    if [ "$scenario" = mixed ]; then
      local hb_pid=$pid
      start_bio_mock
      pid2=$pid pid=$hb_pid
      args="$args --sse-port $bm_port --sse-pid $pid2"
    fi
  fi
  # two connection pools in every run: the mixed peer is two servers anyway
  # shellcheck disable=SC2086
  "$heart_load" $args $load ${LOAD_ARGS:-} --split-sessions --duration "$seconds" > "$log" 2>"$work/load.err" || true
  stop "$pid"
  if [ -n "$pid2" ]; then stop "$pid2"; fi
  printf '%s\t%s\t%s\n' "$system" "$run" "$(figures "$log")" >> "$rows"
  printf '%-9s run %s: %s\n' "$system" "$run" "$(grep -E '^(clients|settled)' "$log" | tail -n1)"
  tail -n1 "$rows" | awk -F'\t' '{ printf "    WS p50 %s ms, p99 %s ms; SSE age p50 %s ms, p99 %s ms; per client per s: WS %s, SSE %s; seq gaps %s; server CPU %s %%, RSS %s MB\n", $3, $4, $5, $6, $7, $8, $9, $10, $11 }'
  if [ -s "$work/load.err" ]; then
    echo "    heart-load: $(sort "$work/load.err" | uniq -c | sort -rn | head -n3 | tr -s ' ' | paste -sd';')"
  fi
}

# wrk's "1.23ms", "456.00us", "1.05s" -> ms
to_ms() { awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/) v *= 1000; printf "%.2f", v }' <<< "$1"; }

rest_run() {  # SYSTEM RUN
  local system=$1 run=$2 url out before after
  case "$system" in
    heartsim) start_heartsim; url="http://127.0.0.1:$hs_port/heartbeat/current" ;;
    peer)     start_heartbeat_peer; url="http://127.0.0.1:$hb_port/heartbeat/current" ;;
    bare-soup) start_bare_soup; url="http://127.0.0.1:$bare_port/" ;;
  esac
  wrk -t1 -c64 -d1s "$url" >/dev/null 2>&1 || true   # warm-up
  before=$(cpu_ticks "$pid")
  # one wrk thread: the servers are single-threaded and the machine has 2 cores
  out=$(wrk -t1 -c64 -d"${seconds}s" --latency "$url")
  after=$(cpu_ticks "$pid")
  local rps p50 p99 errors cpu rss
  rps=$(awk '/Requests\/sec/ { print $2 }' <<< "$out")
  p50=$(to_ms "$(awk '/^ +50%/ { print $2 }' <<< "$out")")
  p99=$(to_ms "$(awk '/^ +99%/ { print $2 }' <<< "$out")")
  errors=$(awk '/Non-2xx|Socket errors/ { sub(/^ +/, ""); printf "%s; ", $0 }' <<< "$out")
  cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v s="$seconds" 'BEGIN { printf "%.1f", 100 * t / hz / s }')
  rss=$(rss_mb "$pid")
  stop "$pid"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$system" "$run" "$rps" "$p50" "$p99" "$cpu" "$rss" >> "$rows"
  printf '%-9s run %s: %10s req/s   p50 %6s ms   p99 %6s ms   server CPU %5s %%   RSS %5s MB %s\n' \
    "$system" "$run" "$rps" "$p50" "$p99" "$cpu" "$rss" "${errors:+  ($errors)}"
}

median() {  # SYSTEM COLUMN: the median of the numeric values, or -
  awk -F'\t' -v s="$1" -v c="$2" '$1 == s && $c ~ /^[0-9.]+$/ { print $c }' "$rows" | sort -g |
    awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "scenario $scenario: ${seconds} s a run, $runs runs each, alternating; heartsim --interval-ms $interval"
echo "  $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
if [ "$scenario" = rest ]; then
  for run in $(seq "$runs"); do
    for system in heartsim peer bare-soup; do rest_run "$system" "$run"; done
  done
  echo
  printf '%-22s %10s %10s %10s %15s %20s\n' "median of $runs runs" heartsim peer bare-soup heartsim/peer heartsim/bare-soup
  col=3
  for name in "req/s" "p50 ms" "p99 ms" "server CPU %" "server RSS MB"; do
    h=$(median heartsim $col) p=$(median peer $col) b=$(median bare-soup $col)
    printf '%-22s %10s %10s %10s %15s %20s\n' "$name" "$h" "$p" "$b" "$(ratio "$h" "$p")" "$(ratio "$h" "$b")"
    col=$((col + 1))
  done
  exit 0
fi

peer_name="heartbeat_sim.py"
[ "$scenario" = mixed ] && peer_name="heartbeat_sim.py (WS) + bio_mock.py (SSE)"
echo "  heart-load $load; peer: $peer_name"
for run in $(seq "$runs"); do
  for system in heartsim peer; do stream_run "$system" "$run"; done
done

echo
printf '%-34s %10s %10s %15s\n' "median of $runs runs" heartsim peer heartsim/peer
col=3
for name in "WS delivery p50 ms" "WS delivery p99 ms" "SSE event age p50 ms" "SSE event age p99 ms" \
            "WS messages per client per s" "SSE events per client per s" "WS seq gaps" \
            "server CPU % of a core" "server RSS MB"; do
  h=$(median heartsim $col) p=$(median peer $col)
  if [ "$name" = "WS seq gaps" ] && [ "$p" = "-" ]; then p="n/a"; fi
  printf '%-34s %10s %10s %15s\n' "$name" "$h" "$p" "$(ratio "$h" "$p")"
  col=$((col + 1))
done
if [ "$scenario" = fast ]; then
  echo "note: the prototype sleeps a fixed time after each broadcast, so its rate is below 50 Hz by design;"
  echo "      its messages per client per s is the rate it reached, not the one asked for"
fi
if [ "$scenario" = mixed ]; then
  echo "note: the peer side is two processes (CPU and RSS are their sum); Bio Mock makes each event when it"
  echo "      sends it, Heartsim sends the latest 2 Hz sample once a second, so SSE age is not delivery latency"
fi
