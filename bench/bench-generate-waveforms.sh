#!/bin/sh
# How fast `heartsim generate` writes an hour of waveforms: 250 Hz ECG and
# 64 Hz PPG with their annotations, as CSV, EDF+ and WFDB (target: under
# 2 s each on the 2-core machine; bench/README.md, "Waveforms").
#   bench/bench-generate-waveforms.sh [path/to/heartsim] [runs] [extra generate options…]
# Prints, for each format, the median wall time of the runs, its user CPU
# time, and the files' size; and CSV to /dev/null (the rows formatted, no
# disk and no annotations file).
set -eu
heartsim=${1:-_build/src/heartsim}
runs=${2:-5}
shift 2 2>/dev/null || shift $#
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median () {
  sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

for case in "csv|$out/hour.csv" "edf|$out/hour.edf" "wfdb|$out/hour" "csv-null|/dev/null"; do
  format=${case%%|*}
  target=${case#*|}
  format_arg=${format%-null}
  : > "$out/wall"
  : > "$out/user"
  i=0
  while [ $i -lt "$runs" ]; do
    /usr/bin/time -f "%e %U" -o "$out/time" \
      "$heartsim" generate --what ecg,ppg --duration 1h --seed 1 --format "$format_arg" -q -o "$target" "$@"
    read -r wall user < "$out/time"
    echo "$wall" >> "$out/wall"
    echo "$user" >> "$out/user"
    i=$((i + 1))
  done
  bytes=0
  if [ "$format" != csv-null ]; then
    bytes=$(cat "$out"/hour* | wc -c)
  fi
  awk -v what="$format" -v w="$(median < "$out/wall")" -v u="$(median < "$out/user")" -v runs="$runs" \
      -v bytes="$bytes" 'BEGIN {
    printf "%-8s an hour of ECG 250 Hz + PPG 64 Hz: median %.2f s wall, %.2f s user of %d runs, %.1f MB\n",
      what, w, u, runs, bytes / 1e6 }'
  rm -f "$out"/hour*
done
