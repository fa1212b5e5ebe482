#!/bin/bash
# Endurance run: a headless Heartsim at 2 Hz under a steady, changing load
# for SECONDS, sampled every period (default a minute):
#   - 1,000 WebSocket + 1,000 SSE clients, 20 of them a second replaced by new
#     ones (churn; half of each kind never churn and must see no seq gap,
#     churned ones count gaps only within their own life);
#   - 100 stalled clients (50 WebSocket, 50 SSE) that complete the handshake
#     and never read; one the server closes is replaced by a new one;
#   - 4 GET /heartbeat/current a second.
# Each period gives the server's descriptors (/proc/PID/fd), RSS (VmRSS), CPU
# over the period (/proc/PID/stat), seq gaps and the delivery p99 of that
# period; the script writes them as soak.tsv and soak.md and plots them into
# soak.png (fds, RSS, CPU and p99 against time).
#
#   bench/soak.sh [--period S] [--out DIR] SECONDS [BUILD_DIR]   (default _build)
#
# BUILD_DIR holds src/heartsim and bench/heart-load (HEARTSIM and HEART_LOAD
# name other binaries). Loopback only; the server is started here and stopped
# by its PID. The plot needs python3-matplotlib (build-aux/install-deps.sh bench).
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

period=60
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --period) period=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -*) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--period S] [--out DIR] SECONDS [BUILD_DIR]" >&2; exit 2; }
seconds=$1
build=${2:-_build}
heartsim=${HEARTSIM:-$build/src/heartsim}
heart_load=${HEART_LOAD:-$build/bench/heart-load}
port=${HEARTSIM_SOAK_PORT:-18600}
out=${out:-${TMPDIR:-/tmp}/heartsim-soak-$(date +%Y%m%d-%H%M%S)}
load="--ws 1000 --sse 1000 --churn 20 --stall 50 --sse-stall 50 --renew-stalled --rest-rate 4 --split-sessions"

[ -x "$heartsim" ] || { echo "soak.sh: no $heartsim (build it, or set HEARTSIM)" >&2; exit 1; }
"$heart_load" --help 2>/dev/null | grep -q -- --report-every ||
  { echo "soak.sh: $heart_load is missing or older than --report-every (set HEART_LOAD)" >&2; exit 1; }
mkdir -p "$out"

# 2,100 clients and their replacements: more descriptors than the default 1,024
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"

server=""
cleanup() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi; }
trap cleanup EXIT INT TERM

"$heartsim" --headless --port "$port" --interval-ms 500 >/dev/null 2>"$out/heartsim.log" &
server=$!
for _ in $(seq 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break
  sleep 0.1
done

echo "soak: ${seconds} s, a row every ${period} s; heartsim pid $server; heart-load $load"
echo "      output in $out"
# shellcheck disable=SC2086
"$heart_load" --port "$port" --pid "$server" $load --warmup 5 --duration "$seconds" \
  --report-every "$period" > "$out/heart-load.log" 2>"$out/heart-load.err" || true

alive=yes
kill -0 "$server" 2>/dev/null || alive="no (exited: see heartsim.log)"
cleanup
server=""

# period lines (key=value) -> a table
awk '
  BEGIN { n = split("t fds rss_mb cpu_pct ws_p50_ms ws_p99_ms sse_p99_ms gaps_steady gaps_churned churned ws_open sse_open stalled_open failed rest_ok rest_failed rest_p99_ms", cols, " ")
          for (i = 1; i <= n; i++) printf "%s%s", cols[i], i < n ? "\t" : "\n" }
  /^period / { delete v; for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
               for (i = 1; i <= n; i++) printf "%s%s", v[cols[i]], i < n ? "\t" : "\n" }
' "$out/heart-load.log" > "$out/soak.tsv"

{
  echo "| t (s) | fds | RSS MB | CPU % | WS p50 ms | WS p99 ms | SSE age p99 ms | gaps steady | gaps churned | churned | open WS / SSE / stalled | failed | REST ok / failed, p99 ms |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  tail -n +2 "$out/soak.tsv" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s | %s | %s / %s, %s |\n",
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 }'
} > "$out/soak.md"

MPLBACKEND=Agg /usr/bin/python3 - "$out/soak.tsv" "$out/soak.png" <<'EOF' || echo "soak: no plot (python3-matplotlib missing?)" >&2
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

with open(sys.argv[1]) as f:
    rows = list(csv.DictReader(f, delimiter="\t"))
def column(name):
    return [float(r[name]) if r[name] not in ("", "nan") else float("nan") for r in rows]
t = [x / 60 for x in column("t")]
panels = [("fds", "server descriptors"), ("rss_mb", "server RSS (MB)"),
          ("cpu_pct", "server CPU (% of a core)"), ("ws_p99_ms", "WebSocket delivery p99 (ms)")]
fig, axes = plt.subplots(len(panels), 1, sharex=True, figsize=(8, 9))
for ax, (name, label) in zip(axes, panels):
    ax.plot(t, column(name), marker="o", markersize=3)
    ax.set_ylabel(label, fontsize=8)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
axes[-1].set_xlabel("minutes")
fig.suptitle("Heartsim soak: 1,000 WS + 1,000 SSE at 2 Hz, churn 20/s, 100 stalled, REST 4/s", fontsize=10)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=100)
EOF

cat "$out/soak.md"
echo
grep -v '^period ' "$out/heart-load.log" | sed 's/^/heart-load: /'
if [ -s "$out/heart-load.err" ]; then
  echo "heart-load errors: $(sort "$out/heart-load.err" | uniq -c | sort -rn | head -n3 | tr -s ' ' | paste -sd';')"
fi
echo "server alive at the end: $alive; log lines: $(wc -l < "$out/heartsim.log")"
echo "table: $out/soak.tsv, $out/soak.md; plot: $out/soak.png"
