#!/bin/sh
# How fast `heartsim generate` writes one simulated day (docs/architecture.md: under 1 s).
#   bench/generate.sh [path/to/heartsim] [runs]
# Prints, for beats, 2 Hz samples, and a day of the repeated lab protocol as
# samples and as every channel value (CSV, to a file), the median wall time of
# the runs, the rows written and the rate; for the channel values also the
# rows of each channel.
set -eu
heartsim=${1:-_build/src/heartsim}
runs=${2:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median_seconds () {
  sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

lab="--scenario lab-stress-protocol --repeat"
for case in "beats|--what beats" "samples|--what samples" \
            "lab-samples|$lab --what samples" "lab-channels|$lab --what channels"; do
  name=${case%%|*}
  args=${case#*|}
  : > "$out/times"
  i=0
  while [ $i -lt "$runs" ]; do
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$heartsim" generate --duration 24h --seed 1 $args --format csv -q -o "$out/day.csv"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f\n", b - a }' >> "$out/times"
    i=$((i + 1))
  done
  rows=$(($(wc -l < "$out/day.csv") - 1))
  seconds=$(median_seconds < "$out/times")
  bytes=$(wc -c < "$out/day.csv")
  awk -v what="$name" -v rows="$rows" -v bytes="$bytes" -v s="$seconds" -v runs="$runs" 'BEGIN {
    printf "%-12s one day: %d rows, %.1f MB, median %.3f s of %d runs, %.0f rows/s\n",
      what, rows, bytes / 1e6, s, runs, rows / s }'
  if [ "$name" = lab-channels ]; then
    # value,timestamp,type,…: rows of each channel, and their rate in this run
    awk -F, -v s="$seconds" 'NR > 1 { n[$3]++ } END {
      for (t in n) printf "  %-17s %9d rows, %10.0f rows/s\n", t, n[t], n[t] / s }' "$out/day.csv" | sort
  fi
done
