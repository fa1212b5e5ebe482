#!/bin/sh
# `heartsim generate` of a cohort: 100 people × 1 day, every channel but the
# waveforms (the channel list of bench/generate.sh: no ECG, PPG or 25 Hz
# breathing), CSV, with --jobs 1 and --jobs 2; the wall time of each and the
# speed-up (bench/README.md, "A cohort").
#   bench/generate-cohort.sh [path/to/heartsim] [subjects] [duration]
set -eu
heartsim=${1:-_build/src/heartsim}
subjects=${2:-100}
duration=${3:-24h}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

channels=heart_rate,rr_interval,hrv_rmssd,stress_level,respiratory_rate,eda,scr,condition,event,steps
channels=$channels,activity,cadence,steps_today,energy,spo2,skin_temperature,sleep_stage
for jobs in 1 2; do
  start=$(date +%s.%N)
  "$heartsim" generate --subjects "$subjects" --duration "$duration" --seed 1 --what channels \
    --channels "$channels" --format csv --jobs "$jobs" -q -o "$out/jobs$jobs"
  end=$(date +%s.%N)
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  eval "wall$jobs=$seconds"
  bytes=$(du -sb "$out/jobs$jobs" | cut -f1)
  rows=$(cat "$out/jobs$jobs"/subject-*.csv | wc -l)
  echo "jobs $jobs: $seconds s wall, $subjects subjects, $((rows - subjects)) rows, $((bytes / 1000000)) MB"
  # the files of --jobs 2 are those of --jobs 1, to the byte
  if [ "$jobs" = 2 ]; then
    diff -r "$out/jobs1" "$out/jobs2" >/dev/null && echo "jobs 1 and 2: identical files" || echo "jobs 1 and 2: DIFFERENT files"
    rm -rf "$out/jobs1" "$out/jobs2"
  fi
done
# shellcheck disable=SC2154
awk -v a="$wall1" -v b="$wall2" 'BEGIN { printf "speed-up: %.2f×\n", a / b }'
