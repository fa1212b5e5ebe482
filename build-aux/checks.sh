#!/bin/sh
# The checks besides the test suite and the fuzzers (docs/reliability.md):
#   valgrind    the core suite under valgrind memcheck (_build-valgrind)
#   cppcheck    cppcheck over src/ (build-aux/cppcheck.supp)
#   clang-tidy  clang-tidy over src/ (.clang-tidy; _build-static)
#   coverage    the core and server suites in a coverage build, and the line
#               coverage of the core (src/ but the desktop app) against
#               COVERAGE_FLOOR (_build-coverage)
#   build-aux/checks.sh                  all four
#   build-aux/checks.sh cppcheck ...     only those named
# Prints one TAP line per check, then "N passed, N failed"; a failed check's
# log is printed after "#". The TAP lines are also in _build-checks/checks.tap.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Measured 92.2 % when chosen (85.0 % an hour before, while new server code
# waited for its tests); five points below it for the server's
# timing-dependent paths and the next untested feature. docs/reliability.md.
COVERAGE_FLOOR=87

checks=${*:-valgrind cppcheck clang-tidy coverage}
for check in $checks; do
  case "$check" in
    valgrind|cppcheck|clang-tidy|coverage) ;;
    *) echo "usage: $0 [valgrind] [cppcheck] [clang-tidy] [coverage]" >&2; exit 2 ;;
  esac
done

mkdir -p "$top/_build-checks"
tap="$top/_build-checks/checks.tap"
: >"$tap"
"$top/build-aux/install-deps.sh" check

# report OK|FAIL DESCRIPTION [LOG]
report() {
  n=$(( $(grep -c '^\(not \)\{0,1\}ok ' "$tap" || true) + 1 ))
  if [ "$1" = OK ]; then
    line="ok $n - $2"
  else
    line="not ok $n - $2"
    if [ -n "${3:-}" ] && [ -f "$3" ]; then
      tail -n 60 "$3" | sed 's/^/# /' >&2
    fi
  fi
  echo "$line" >>"$tap"
  echo "$line"
}

setup() {
  # setup DIR ARGS...: configure a build dir of our own once
  dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$top" "$@" >&2
  fi
}

summary() {
  /usr/bin/python3 "$top/build-aux/tap-summary.py" "$1"
}

check_valgrind() {
  build="$top/_build-valgrind"
  log="$build/meson-logs/testlog-valgrind.txt"
  setup "$build" -Dgui=false -Dbrowser_tests=disabled -Dwerror=true
  start=$(date +%s)
  if ninja -C "$build" >&2 &&
     meson test -C "$build" --setup valgrind --suite core --num-processes 2 --print-errorlogs >&2; then
    result=OK
  else
    result=FAIL
  fi
  counts=$(summary "$build/meson-logs/testlog-valgrind.json")
  report $result "valgrind memcheck, core suite: $counts ($(( $(date +%s) - start )) s)" "$log"
}

check_cppcheck() {
  log="$top/_build-checks/cppcheck.log"
  # no system headers: the gtk and posix configurations describe GLib and libc
  # shellcheck disable=SC2046
  if cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
       --std=c11 --library=gtk --library=posix --library=build-aux/cppcheck.cfg \
       --suppressions-list=build-aux/cppcheck.supp --inline-suppr $(find src -type d | sed 's/^/-I /') \
       --template='{file}:{line}: {severity} ({id}): {message}' src >"$log" 2>&1; then
    report OK "cppcheck clean: src/"
  else
    report FAIL "cppcheck: $(grep -c ': ' "$log") findings in src/ (build-aux/cppcheck.supp)" "$log"
  fi
}

check_clang_tidy() {
  build="$top/_build-static"
  log="$top/_build-checks/clang-tidy.log"
  files="$top/_build-checks/clang-tidy.files"
  if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$top" -Dbrowser_tests=disabled >&2
  fi
  # the sources include the generated resource headers; nothing else is built
  # shellcheck disable=SC2046
  ninja -C "$build" $(ninja -C "$build" -t targets all | sed -n 's/^\(src\/[^:]*-resources\.[ch]\): .*/\1/p') >&2
  /usr/bin/python3 - "$build/compile_commands.json" "$top/src/" >"$files" <<'EOF'
import json, os, sys
sources = {os.path.normpath(os.path.join(entry["directory"], entry["file"]))
           for entry in json.load(open(sys.argv[1]))}
print("\n".join(sorted(path for path in sources if path.startswith(sys.argv[2]))))
EOF
  if xargs -n 1 -P 2 clang-tidy -p "$build" --quiet <"$files" >"$log" 2>&1 &&
     ! grep -q 'warning:\|error:' "$log"; then
    report OK "clang-tidy clean: $(wc -l <"$files") files of src/"
  else
    report FAIL "clang-tidy: $(grep -c 'warning:\|error:' "$log") findings in src/ (.clang-tidy)" "$log"
  fi
}

check_coverage() {
  build="$top/_build-coverage"
  log="$top/_build-checks/coverage.txt"
  # the fan-out shards count lines from several threads: without atomic
  # counters a racing increment can leave a negative count that gcovr refuses
  setup "$build" -Db_coverage=true -Dgui=false -Dbrowser_tests=disabled -Dbuildtype=debug \
    -Dc_args=-fprofile-update=atomic
  find "$build" -name '*.gcda' -exec rm -f {} +
  start=$(date +%s)
  tests=OK
  ninja -C "$build" >&2 &&
    HEARTSIM_TEST_SLOWDOWN=3 meson test -C "$build" --suite core --suite server --num-processes 2 \
      --timeout-multiplier 3 --print-errorlogs >&2 ||
    tests=FAIL
  report $tests "coverage run, core and server suites: $(summary "$build/meson-logs/testlog.json") ($(( $(date +%s) - start )) s)" \
    "$build/meson-logs/testlog.txt"

  if gcovr --root "$top" --filter 'src/' --exclude 'src/ui/' --exclude 'src/main\.c' \
       --print-summary --txt "$log" --gcov-ignore-parse-errors \
       --fail-under-line "$COVERAGE_FLOOR" "$build" >"$log.summary" 2>&1; then
    result=OK
  else
    result=FAIL
  fi
  lines=$(sed -n 's/^lines: *\([0-9.]*%\).*/\1/p' "$log.summary")
  report $result "coverage of the core: ${lines:-?} of lines in src/ but src/ui, floor $COVERAGE_FLOOR %" "$log.summary"
}

for check in $checks; do
  # a check that stops half-way (its build failed) still counts, as a failure
  ( "check_$(echo "$check" | tr - _)" ) || report FAIL "$check: stopped (see above)"
done

echo "1..$(grep -c '^\(not \)\{0,1\}ok ' "$tap" || true)" | tee -a "$tap"
summary "$tap"
! grep -q '^not ok' "$tap"
