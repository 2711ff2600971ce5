#!/bin/sh
# Builds and opens the PIM Ready desktop app. On Debian/Ubuntu it first installs the
# WebKitGTK build prerequisites when they are missing (asking for sudo when not root).
# Usage: scripts/desktop.sh [--release]
set -eu
cd "$(dirname "$0")/.."

PACKAGES="libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev libsecret-1-dev"

if [ "$(uname -s)" = Linux ] && ! pkg-config --exists webkit2gtk-4.1 javascriptcoregtk-4.1 libsoup-3.0 2>/dev/null; then
  if command -v apt-get >/dev/null; then
    echo "PIM Ready needs WebKitGTK and a few build tools to compile its window:"
    echo "  $PACKAGES"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; echo "Installing them with sudo (you may be asked for your password)."; fi
    $SUDO apt-get update
    # shellcheck disable=SC2086
    $SUDO apt-get install -y --no-install-recommends $PACKAGES
  else
    echo "Install WebKitGTK 4.1 development files for your distribution first; see https://v2.tauri.app/start/prerequisites/" >&2
    exit 1
  fi
fi

exec cargo run -p pimready-desktop "$@"
