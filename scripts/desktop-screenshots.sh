#!/bin/sh
# Opens the debug desktop build under a virtual display and saves a screenshot of the
# whole screen to the given path after N seconds: scripts/desktop-screenshots.sh out.png [seconds]
# (end-to-end screenshots of individual screens come from tests/it/desktop.rs).
set -eu
cd "$(dirname "$0")/.."
out=${1:?output png}; wait_s=${2:-6}
bin=${PIMREADY_DESKTOP_BIN:-target/debug/pimready-desktop}
exec timeout 60 dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" sh -c "
  \"$bin\" & app=\$!
  sleep $wait_s
  /usr/bin/import -window root \"$out\"
  kill \$app"
