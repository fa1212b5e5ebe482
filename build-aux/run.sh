#!/bin/sh
# Install what is missing, build, and run Heartsim from the build tree.
#   build-aux/run.sh                 the desktop app (headless when there is no display)
#   build-aux/run.sh --headless      the server only
#   build-aux/run.sh generate --help the dataset command
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build"

"$top/build-aux/install-deps.sh" build
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$top" >&2
fi
ninja -C "$build" >&2

# Uninstalled: the GSettings schema is compiled into the build tree
export GSETTINGS_SCHEMA_DIR="$build/data"
exec "$build/src/heartsim" "$@"
