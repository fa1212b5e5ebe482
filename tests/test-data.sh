#!/bin/sh
# The data files a desktop and a software centre read, validated by their own
# tools. TAP: one line a check.
#   test-data.sh SOURCE-DIR BUILD-DIR [GUI]
# GUI is "false" for a -Dgui=false build, which has no desktop entry nor
# metainfo: their checks are skipped, the rest still run.
set -u
# The tools below are not ours: their own deprecation warnings (flatpak-builder
# warns about a property of its own under G_ENABLE_DIAGNOSTIC) must not abort
# them as the test environment's fatal-warnings would.
unset G_DEBUG G_ENABLE_DIAGNOSTIC
src=$1
build=$2
gui=${3:-true}
app_id=io.github.heartsim.Heartsim
n=0
failed=0

check () {
  description=$1
  shift
  n=$((n + 1))
  if output=$("$@" 2>&1); then
    echo "ok $n - $description"
  else
    echo "not ok $n - $description"
    printf '%s\n' "$output" | sed 's/^/# /'
    failed=1
  fi
}

# A check of a file that only a desktop-app build makes
gui_check () {
  if [ "$gui" = false ]; then
    n=$((n + 1))
    echo "ok $n - $1 # SKIP no desktop app in this build (-Dgui=false)"
    return
  fi
  check "$@"
}

# The defaults docs/api.md promises (port 8000, 2 Hz, the seed's event rate), read
# back from the schema compiled into the build tree
schema_defaults_are_right () {
  for pair in "port=uint16 8000" "listen-all-interfaces=false" "interval-ms=uint32 500" \
              "random-events-per-hour=144.0" "baseline-bpm=uint32 72" "serve=true"; do
    key=${pair%%=*}
    want=${pair#*=}
    got=$(GSETTINGS_BACKEND=memory gsettings --schemadir "$build/data" get "$app_id" "$key") || return 1
    [ "$got" = "$want" ] || { echo "$key: got $got, want $want"; return 1; }
  done
}

manifest_is_right () {
  /usr/bin/python3 - "$src/$app_id.json" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
expected = {"--share=network", "--share=ipc", "--socket=wayland", "--socket=fallback-x11", "--device=dri",
            "--system-talk-name=org.bluez"}
assert manifest["id"] == "io.github.heartsim.Heartsim", manifest["id"]
assert manifest["command"] == "heartsim", manifest["command"]
assert manifest["runtime"] == "org.gnome.Platform" and manifest["sdk"] == "org.gnome.Sdk"
# 47 and older are past their support (docs/flatpak.md)
assert int(manifest["runtime-version"]) >= 50, manifest["runtime-version"]
assert set(manifest["finish-args"]) == expected, manifest["finish-args"]
module = manifest["modules"][-1]
assert module["buildsystem"] == "meson" and module["sources"] == [{"type": "dir", "path": "."}], module
PY
}

metainfo_release_is_project_version () {
  version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" "$src/meson.build" | head -n 1)
  grep -q "<release version=\"$version\" date=\"[0-9-]*\"" "$build/data/$app_id.metainfo.xml" ||
    { echo "no <release version=\"$version\" date=…> in the metainfo"; return 1; }
}

screenshots_exist () {
  for name in $(grep -o 'data/screenshots/[a-z0-9-]*\.png' "$build/data/$app_id.metainfo.xml"); do
    [ -s "$src/$name" ] || { echo "the metainfo shows $name, which is missing"; return 1; }
  done
  grep -q 'data/screenshots/' "$build/data/$app_id.metainfo.xml" || { echo "no screenshots"; return 1; }
}

icon_renders () {
  out=$(mktemp)
  rsvg-convert -w "$2" -h "$2" "$1" -o "$out" && [ -s "$out" ]
  status=$?
  rm -f "$out"
  return $status
}

po_files_check () {
  for po in "$src"/po/*.po; do
    msgfmt --check --output-file=/dev/null "$po" || return 1
    stats=$(LC_ALL=C msgfmt --statistics --output-file=/dev/null "$po" 2>&1)
    case "$stats" in
      *untranslated*|*fuzzy*) echo "$po: $stats"; return 1 ;;
    esac
  done
}

echo "1..11"
gui_check "desktop entry passes desktop-file-validate" desktop-file-validate "$build/data/$app_id.desktop"
gui_check "metainfo passes appstreamcli validate --no-net" appstreamcli validate --no-net --explain "$build/data/$app_id.metainfo.xml"
gui_check "metainfo's release is the project version, with a date" metainfo_release_is_project_version
gui_check "metainfo's screenshots are in data/screenshots" screenshots_exist
check "GSettings schema compiles with --strict" glib-compile-schemas --strict --dry-run "$src/data"
check "GSettings defaults are the documented ones" schema_defaults_are_right
check "app icon renders" icon_renders "$src/data/icons/hicolor/scalable/apps/$app_id.svg" 128
check "symbolic icon renders" icon_renders "$src/data/icons/hicolor/symbolic/apps/$app_id-symbolic.svg" 16
check "Flatpak manifest parses (flatpak-builder --show-manifest)" flatpak-builder --show-manifest "$src/$app_id.json"
check "Flatpak manifest names the app ID, command and permissions" manifest_is_right
check "translations are complete and valid" po_files_check
exit $failed
