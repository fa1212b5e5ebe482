#!/bin/sh
# How fast `heartsim generate` writes one simulated day (docs/architecture.md: under 1 s).
#   bench/generate.sh [path/to/heartsim] [runs]
# Prints, for beats and for 2 Hz samples (CSV, to a file), the median wall time
# of the runs, the rows written and the rate.
set -eu
heartsim=${1:-_build/src/heartsim}
runs=${2:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median_seconds () {
  sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

for what in beats samples; do
  : > "$out/times"
  i=0
  while [ $i -lt "$runs" ]; do
    start=$(date +%s.%N)
    "$heartsim" generate --duration 24h --seed 1 --what "$what" --format csv -o "$out/day.csv"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f\n", b - a }' >> "$out/times"
    i=$((i + 1))
  done
  rows=$(($(wc -l < "$out/day.csv") - 1))
  seconds=$(median_seconds < "$out/times")
  bytes=$(wc -c < "$out/day.csv")
  awk -v what="$what" -v rows="$rows" -v bytes="$bytes" -v s="$seconds" -v runs="$runs" 'BEGIN {
    printf "%-7s one day: %d rows, %.1f MB, median %.3f s of %d runs, %.0f %s/s\n",
      what, rows, bytes / 1e6, s, runs, rows / s, what }'
done
