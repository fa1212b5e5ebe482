#!/bin/bash
# Desktop frame-interval benchmark (docs/architecture.md): the window's frame clock
# intervals, p50 and p99, first with no clients, then while heart-load drives
# WebSocket and SSE clients at 2 Hz through the same process and main loop.
#
#   bench/desktop-frames.sh [BUILD_DIR] [SECONDS] [WS] [SSE]
#                           (defaults: _build 30 1000 1000)
#
# The app runs under Xvfb (60 Hz frame clock) with --frame-stats, which prints
# one line per 5 s window of frames; a phase counts the windows that began
# after it started (clients connected and warmed up). The script stops the
# app by its PID.
#
# GSK_RENDERER defaults to cairo here: Xvfb has no GPU, and GTK's GL renderer
# on llvmpipe alone takes ~30 ms a frame on this machine, which measures Mesa,
# not Heartsim. Set GSK_RENDERER=gl to see that.
# Loopback only. Needs xvfb-run and dbus-run-session.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

build=${1:-_build}
seconds=${2:-30}
n_ws=${3:-1000}
n_sse=${4:-1000}
port=${HEARTSIM_BENCH_PORT:-18090}
srcdir=$(cd "$(dirname "$0")/.." && pwd)

for tool in xvfb-run dbus-run-session glib-compile-schemas; do
  command -v "$tool" >/dev/null || { echo "desktop-frames: $tool is missing" >&2; exit 1; }
done
load=${HEART_LOAD:-$build/bench/heart-load}   # or bench/heart-raw
[ -x "$build/src/heartsim" ] && [ -x "$load" ] ||
  { echo "desktop-frames: build $build first" >&2; exit 1; }

work=$(mktemp -d)
app_pid=""
cleanup() {
  if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkdir -p "$work/schemas"
glib-compile-schemas --targetdir="$work/schemas" "$srcdir/data"

GSK_RENDERER=${GSK_RENDERER:-cairo} \
GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$work/schemas" GTK_A11Y=none \
  dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" \
  "$build/src/heartsim" --seed 1 --port "$port" --frame-stats \
  > "$work/app.log" 2> "$work/app.err" &

# The app prints its PID first; then wait for the server to answer
for _ in $(seq 200); do
  app_pid=$(sed -n 's/^frame-stats: pid=\([0-9]*\).*/\1/p' "$work/app.log" | head -n1)
  [ -n "$app_pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
[ -n "$app_pid" ] || { echo "desktop-frames: the app did not start" >&2; cat "$work/app.err" >&2; exit 1; }

# Frame-stats lines printed from now on, until the next mark
mark() { wc -l < "$work/app.log"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int ((NR + 1) / 2)] }'; }
summary() {  # $1: first line number, $2: label; medians over the 10 s windows
  local lines
  # the first window after the mark began before it
  lines=$(tail -n +"$(( $1 + 1 ))" "$work/app.log" | grep '^frame-stats: frames=' | tail -n +2 || true)
  if [ -z "$lines" ]; then echo "$2: no complete 5 s window"; return; fi
  field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<< "$lines"; }
  printf '%-26s windows %d  frames %d  p50 %s ms  p99 %s ms (worst window %s)  max %s ms  missed %d\n' "$2" \
    "$(wc -l <<< "$lines")" "$(field frames | paste -sd+ | bc)" \
    "$(field p50 | median)" "$(field p99 | median)" "$(field p99 | sort -n | tail -n1)" \
    "$(field max | sort -n | tail -n1)" "$(field missed | paste -sd+ | bc)"
}

echo "heartsim pid $app_pid, port $port"
start=$(mark)
sleep "$seconds"
summary "$start" "idle (no clients)"

"$load" --port "$port" --ws "$n_ws" --sse "$n_sse" --threads "${HEARTSIM_BENCH_THREADS:-1}" \
  --duration "$seconds" --pid "$app_pid" > "$work/load.log" &
load_pid=$!
# Measure from the moment every client is connected (plus the load's warm-up)
until grep -q '^settled' "$work/load.log" 2>/dev/null; do
  kill -0 "$load_pid" 2>/dev/null || break
  sleep 0.2
done
sleep 2
start=$(mark)
wait "$load_pid" || true
sed 's/^/  heart-load: /' "$work/load.log"
summary "$start" "$n_ws WS + $n_sse SSE at 2 Hz"
