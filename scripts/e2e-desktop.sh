#!/bin/sh
# Runs the desktop end-to-end tests the way CI does (needs tauri-driver and WebKitWebDriver).
set -eu
cd "$(dirname "$0")/.."
cargo build -p pimready-desktop
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked
PIMREADY_E2E=1 timeout 600 dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test -p pimready-tests --test integration desktop -- --test-threads=1 --nocapture
