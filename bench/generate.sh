#!/bin/sh
# How fast `heartsim generate` writes one simulated day (docs/architecture.md: under 1 s),
# and a simulated week of the weekday scenario (every channel but the waveforms).
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
# every channel of the person but the 25 Hz breathing waveform
no_waveforms=heart_rate,rr_interval,hrv_rmssd,stress_level,respiratory_rate,eda,scr,condition,event,steps
no_waveforms=$no_waveforms,activity,cadence,steps_today,energy,spo2,skin_temperature,sleep_stage
week="--scenario weekday --duration 7d"
for case in "beats|--what beats" "samples|--what samples" \
            "lab-samples|$lab --what samples" "lab-channels|$lab --what channels" \
            "week-samples|$week --what samples" "week-channels|$week --what channels --channels $no_waveforms"; do
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
  days=1
  case $name in week-*) days=7 ;; esac
  awk -v what="$name" -v rows="$rows" -v bytes="$bytes" -v s="$seconds" -v runs="$runs" -v days="$days" 'BEGIN {
    printf "%-13s %d day(s): %d rows, %.1f MB, median %.3f s of %d runs (%.3f s a day), %.0f rows/s\n",
      what, days, rows, bytes / 1e6, s, runs, s / days, rows / s }'
  if [ "$name" = lab-channels ] || [ "$name" = week-channels ]; then
    # value,timestamp,type,…: rows of each channel, and their rate in this run
    awk -F, -v s="$seconds" 'NR > 1 { n[$3]++ } END {
      for (t in n) printf "  %-17s %9d rows, %10.0f rows/s\n", t, n[t], n[t] / s }' "$out/day.csv" | sort
  fi
done
