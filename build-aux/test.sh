#!/bin/sh
# Install what is missing, build with warnings as errors, and run the whole
# test suite (GUI tests under Xvfb, browser tests in headless Chromium).
#   build-aux/test.sh              the suite
#   build-aux/test.sh --sanitize   the suite built with address,undefined sanitizers
# The last line is "N passed, N failed", counted from every test's TAP results.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

build="$top/_build-test"
setup_args="-Dwerror=true"
test_args=""
if [ "${1:-}" = "--sanitize" ]; then
  build="$top/_build-sanitize"
  setup_args="$setup_args -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug"
  test_args="--timeout-multiplier 4"
  # the tests' own deadlines stretch with it (tests/test-server-util.h)
  export HEARTSIM_TEST_SLOWDOWN=4
  # No leak detection for the server, ui, data and browser suites: GTK keeps
  # its type, font and GL caches until exit on purpose, and libsoup 3.2.3
  # leaks connections and one error path (fixed in 3.3 and 3.5). The core
  # suite turns it back on (LSAN_OPTIONS in tests/meson.build); leaks of our
  # own objects elsewhere show through the tests' own checks and the
  # valgrind and fuzzing runs (docs/reliability.md).
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
fi

"$top/build-aux/install-deps.sh" test
if [ ! -f "$build/build.ninja" ]; then
  # shellcheck disable=SC2086
  meson setup "$build" "$top" $setup_args >&2
fi
ninja -C "$build" >&2

status=0
# shellcheck disable=SC2086
meson test -C "$build" --print-errorlogs --num-processes 2 $test_args >&2 || status=$?
/usr/bin/python3 "$top/build-aux/tap-summary.py" "$build/meson-logs/testlog.json"
exit $status
