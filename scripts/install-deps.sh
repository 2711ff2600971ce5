#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages PIM Ready builds and tests with, when missing.
# Says what it does; uses sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config curl file
  libdbus-1-dev libssl-dev libsecret-1-dev            # keychain (Secret Service)
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev  # Tauri 2
  xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring keyutils  # headless desktop tests
  poppler-utils                                       # pdftotext/pdftoppm for report checks
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps: not a Debian/Ubuntu system; install the equivalents of: ${PACKAGES[*]}" >&2
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all system packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
  echo "install-deps: root is needed to install packages; asking sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
