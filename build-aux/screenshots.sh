#!/bin/bash
# Capture the screenshots the metainfo shows: data/screenshots/light.png and
# data/screenshots/dark.png.
#
# Runs the app under Xvfb with a fixed seed, the bundled demo scenario and a
# tenfold speed-up (0.5 s of simulation per 50 ms tick, so the same curve as
# at 2 Hz, ten times sooner), waits until the chart spans its whole minute,
# and lets the app render its own window to PNG (hidden option --screenshot):
# no screen grabber needed.
#
# With --sizes, the window at a phone's 360 x 640, 1024 x 768 and 1920 x 1080
# instead, in docs/screenshots/ (docs/desktop.md, "Adaptive layout"), with
# GNOME's title bar (a close button alone).
#
# With --subjects, five simulated people (--subjects 5) at 1180 x 720 and
# 360 x 640 instead, in docs/screenshots/subjects-*.png (docs/desktop.md,
# "Subjects").
#
# Usage: build-aux/screenshots.sh [--sizes|--subjects] [BUILD-DIR]     (default: _build)
# Needs: xvfb-run, dbus-run-session, glib-compile-schemas, fonts-cantarell
#        (build-aux/install-deps.sh test)
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
sizes=(1180x720)
subjects=()
if [ "${1:-}" = --sizes ]; then
  sizes=(360x640 1024x768 1920x1080)
  shift
elif [ "${1:-}" = --subjects ]; then
  sizes=(1180x720 360x640)
  subjects=(--subjects 5)
  shift
fi
builddir=${1:-$srcdir/_build}
binary=$builddir/src/heartsim
outdir=$srcdir/data/screenshots
# The port shown in the picture: the default, as a user sees it
port=${HEARTSIM_SCREENSHOT_PORT:-8000}
seed=${HEARTSIM_SCREENSHOT_SEED:-5}

if [ ! -x "$binary" ]; then
  echo "screenshots: no $binary; build first: meson setup $builddir && ninja -C $builddir" >&2
  exit 1
fi
for tool in xvfb-run dbus-run-session glib-compile-schemas; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "screenshots: $tool is missing (build-aux/install-deps.sh test)" >&2
    exit 1
  fi
done
# A taken port would put the "port in use" banner into the picture
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "screenshots: port $port is in use; stop what uses it or set HEARTSIM_SCREENSHOT_PORT" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Settings of their own: the schema from the source tree and a key file, so
# nothing of the user's own settings shows and nothing is written to them.
mkdir -p "$work/schemas"
glib-compile-schemas --targetdir="$work/schemas" "$srcdir/data"
mkdir -p "$work/config/glib-2.0/settings"
# The settings of one picture's size
write_keyfile () {
  cat > "$work/config/glib-2.0/settings/keyfile" <<KEYFILE
[io/github/heartsim/Heartsim]
interval-ms=50
stress-level=0.15
window-width=$1
window-height=$2
KEYFILE
}

if [ ${#sizes[@]} -gt 1 ]; then
  outdir=$srcdir/docs/screenshots
  # GNOME's title bar: a close button alone, as on the desktop people use
  mkdir -p "$work/config/gtk-4.0"
  printf '[Settings]\ngtk-decoration-layout=:close\n' > "$work/config/gtk-4.0/settings.ini"
fi

mkdir -p "$outdir"
for size in "${sizes[@]}"; do
for scheme in light dark; do
  write_keyfile "${size%x*}" "${size#*x}"
  name=$scheme
  [ ${#sizes[@]} -gt 1 ] && name=window-$size-$scheme
  if [ ${#subjects[@]} -gt 0 ]; then
    name=subjects-$scheme
    if [ "$size" != 1180x720 ]; then name=subjects-$size-$scheme; fi
  fi
  env -u LANGUAGE LC_ALL=C.UTF-8 \
    XDG_CONFIG_HOME="$work/config" \
    GSETTINGS_BACKEND=keyfile \
    GSETTINGS_SCHEMA_DIR="$work/schemas" \
    GTK_A11Y=none \
    dbus-run-session -- \
    xvfb-run -a -s "-screen 0 2000x1300x24 -nolisten tcp" \
    "$binary" --seed "$seed" --speed 10 --port "$port" --scenario demo \
              --color-scheme "$scheme" --screenshot "$outdir/$name.png" "${subjects[@]}" \
    2> >(grep -v -e '^dbus-daemon' -e 'SpiRegistry' >&2)
done
done

echo "screenshots: wrote them in $outdir"
