#!/bin/sh
# Install the Debian 12 packages Heartsim needs that are not installed yet.
# Usage: build-aux/install-deps.sh [build|test|check|bench|all]   (default: build)
#   check: what build-aux/fuzz.sh and build-aux/checks.sh need besides the build
# Works as root or through sudo; installs nothing when everything is present.
set -eu

# libbiosig-dev: reading EDF/BDF/GDF/WFDB recordings for replay (the
# optional `biosig` feature; docs/replay.md)
# libedf-dev: EDFlib, writing EDF+ waveform datasets (the optional `edf`
# feature; docs/datasets.md)
# libmosquitto-dev: publishing the subjects' channels to an MQTT broker
# (--mqtt; docs/scale.md)
build_pkgs="meson ninja-build pkg-config gcc libglib2.0-dev libglib2.0-dev-bin
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev gettext
  libbiosig-dev libedf-dev libmosquitto-dev"
# python3-numpy, python3-sklearn: the ml-example test (docs/ml.md)
# python3-dbusmock: the mocked BlueZ that test-sensor talks to on a private
# bus, in place of a real adapter and strap (docs/sensors.md)
# libxml2-utils: xmllint, which checks that an Apple Health export written
# by generate --format healthkit is well-formed XML (docs/datasets.md)
# mosquitto: the broker test-mqtt starts on a loopback port; openssl: the
# CA and certificates its TLS test makes (docs/scale.md); python3-paho-mqtt:
# the documented Python consumer, which docs-mqtt-consumer runs as written
test_pkgs="desktop-file-utils appstream xvfb xauth dbus-daemon dbus-x11 chromium nodejs
  flatpak-builder python3 libclang-rt-14-dev librsvg2-bin fonts-cantarell
  python3-numpy python3-sklearn python3-dbusmock libxml2-utils mosquitto openssl
  python3-paho-mqtt"
# libFuzzer and the sanitizers (clang, libclang-rt-14-dev; llvm for
# llvm-symbolizer, which names the functions in their reports), leak checks,
# static analysis and coverage (docs/reliability.md)
check_pkgs="clang libclang-rt-14-dev llvm valgrind cppcheck clang-tidy gcovr"
# python3-fastapi, python3-uvicorn: the prototype peers of bench/peers.sh;
# python3-matplotlib: the plot of bench/soak.sh; mosquitto: the broker of
# bench/bench-mqtt.c
bench_pkgs="wrk python3-websockets python3-requests python3-fastapi python3-uvicorn
  python3-matplotlib mosquitto"

what=${1:-build}
case "$what" in
  build) wanted=$build_pkgs ;;
  test)  wanted="$build_pkgs $test_pkgs" ;;
  check) wanted="$build_pkgs $check_pkgs" ;;
  bench) wanted="$build_pkgs $bench_pkgs" ;;
  all)   wanted="$build_pkgs $test_pkgs $check_pkgs $bench_pkgs" ;;
  *) echo "usage: $0 [build|test|check|bench|all]" >&2; exit 2 ;;
esac

missing=""
for pkg in $wanted; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = installed ] || missing="$missing $pkg"
done

if [ -z "$missing" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "install-deps: need root or sudo to install:$missing" >&2
  exit 1
fi

echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >&2
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing >&2
