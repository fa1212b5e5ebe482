#!/bin/sh
# Run a GUI test under a D-Bus session of its own and a virtual X server.
# Usage: run-gui-test.sh TEST-PROGRAM [ARGUMENTS...]
#
# Without a session bus GtkApplication warns, and the tests run with
# fatal-warnings. Without xvfb-run the test is skipped (TAP "1..0 # SKIP");
# CI installs it, so there it always runs.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "1..0 # SKIP xvfb-run is not installed (build-aux/install-deps.sh test)"
  exit 0
fi
if ! command -v dbus-run-session >/dev/null 2>&1; then
  echo "run-gui-test: dbus-run-session is missing (build-aux/install-deps.sh test)" >&2
  exit 1
fi

# The accessibility bus is not part of what these tests check, and a machine
# without at-spi would turn GTK's warning about it into a failure.
GTK_A11Y=${GTK_A11Y:-none}
export GTK_A11Y

exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" "$@"
