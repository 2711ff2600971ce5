#!/bin/sh
# Builds and opens the PIM Ready desktop app. On Debian/Ubuntu it first installs the
# WebKitGTK build prerequisites that are missing (asking for sudo when not root) and
# says which. Usage: scripts/desktop.sh [--release]
set -eu
cd "$(dirname "$0")/.."

PACKAGES="libwebkit2gtk-4.1-dev build-essential pkg-config curl file libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev"

if [ "$(uname -s)" = Linux ]; then
  if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    missing=""
    for p in $PACKAGES; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
      echo "PIM Ready needs WebKitGTK and a few build tools to compile its window. Missing:$missing"
      SUDO=""
      if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; echo "Installing them with sudo (you may be asked for your password)."; fi
      $SUDO apt-get update
      # shellcheck disable=SC2086
      $SUDO apt-get install -y --no-install-recommends $missing
    fi
  elif ! pkg-config --exists webkit2gtk-4.1 javascriptcoregtk-4.1 libsoup-3.0 2>/dev/null; then
    echo "Install WebKitGTK 4.1 development files for your distribution first; see https://v2.tauri.app/start/prerequisites/" >&2
    exit 1
  fi
fi

exec cargo run -p pimready-desktop "$@"
