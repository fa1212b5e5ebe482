#!/bin/sh
# Build the libFuzzer harnesses of tests/fuzz with clang and the address and
# undefined-behaviour sanitizers (in _build-fuzz), and run each on a fresh
# copy of its seed corpus, one after the other. docs/reliability.md.
#   build-aux/fuzz.sh                     each harness for FUZZ_SECONDS (default 60) s
#   build-aux/fuzz.sh --time 600 json     only the named harnesses, 10 minutes each
#   build-aux/fuzz.sh --runs 10000000     each until it has run this many inputs
# Prints one TAP line per harness ("ok N - fuzz NAME: X execs, 0 crashes"; on
# a crash "not ok" with the reproducer's path), then "N passed, N failed".
# A reproducer replays with: _build-fuzz/tests/fuzz/fuzz-NAME FILE
# tests/fuzz/NAME.dict is the harness's dictionary, tests/fuzz/NAME.options
# its own libFuzzer flags.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build-fuzz"
all="duration validate json http replay cohort"

seconds=${FUZZ_SECONDS:-60}
runs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -*) echo "usage: $0 [--time SECONDS | --runs N] [NAME...]   names: $all" >&2; exit 2 ;;
    *) break ;;
  esac
done
names=${*:-$all}

tap="$build/fuzz.tap"
rm -f "$tap"   # a failed build leaves no results, which counts as a failure
"$top/build-aux/install-deps.sh" check
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" "$top" -Dfuzzing=true -Dgui=false -Dbrowser_tests=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >&2
fi
targets=""
for name in $names; do
  targets="$targets tests/fuzz/fuzz-$name"
done
# shellcheck disable=SC2086
ninja -C "$build" $targets >&2

# shellcheck disable=SC2086
set -- $names
echo "1..$#" >"$tap"
cat "$tap"
n=0
for name in $names; do
  n=$((n + 1))
  work="$build/run/$name"
  rm -rf "$work"
  mkdir -p "$work"
  cp -R "$top/tests/fuzz/corpus/$name" "$work/corpus"

  set -- -timeout=25 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$work/"
  if [ -n "$runs" ]; then
    set -- "$@" -runs="$runs"
  else
    set -- "$@" -max_total_time="$seconds"
  fi
  if [ -f "$top/tests/fuzz/$name.dict" ]; then
    set -- "$@" -dict="$top/tests/fuzz/$name.dict"
  fi
  if [ -f "$top/tests/fuzz/$name.options" ]; then
    # shellcheck disable=SC2046
    set -- "$@" $(grep -v '^#' "$top/tests/fuzz/$name.options")
  fi

  # Leaks are checked after every input that allocated more than it freed.
  # The HTTP harness goes through libsoup 3.2.3, which leaks in one error path
  # (tests/fuzz/lsan.supp); matching a suppression needs the whole stack, and
  # GLib's frames need the slow unwinder for that.
  asan="detect_leaks=1"
  lsan=""
  if [ "$name" = http ]; then
    asan="$asan:fast_unwind_on_malloc=0"
    lsan="suppressions=$top/tests/fuzz/lsan.supp:print_suppressions=0"
  fi

  start=$(date +%s)
  status=0
  ASAN_OPTIONS=$asan LSAN_OPTIONS=$lsan UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
    "$build/tests/fuzz/fuzz-$name" "$@" "$work/corpus" >"$work/log" 2>&1 || status=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
  reproducer=$(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null | head -n 1 || true)

  if [ "$status" -eq 0 ] && [ -n "$execs" ] && [ -z "$reproducer" ]; then
    line="ok $n - fuzz $name: $execs execs, 0 crashes ($elapsed s)"
  else
    line="not ok $n - fuzz $name: exit $status after ${execs:-?} execs ($elapsed s), reproducer ${reproducer:-none} (log $work/log)"
    tail -n 40 "$work/log" | sed 's/^/# /' >&2
  fi
  echo "$line" >>"$tap"
  echo "$line"
done

/usr/bin/python3 "$top/build-aux/tap-summary.py" "$tap"
! grep -q '^not ok' "$tap"
