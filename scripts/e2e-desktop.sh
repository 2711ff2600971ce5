#!/bin/sh
# Runs the desktop end-to-end tests the way CI does (needs tauri-driver and WebKitWebDriver).
set -eu
cd "$(dirname "$0")/.."
# The same workspace-wide build as scripts/test.sh (a `-p` build would resolve other features
# and rebuild most dependencies).
cargo build --workspace --all-targets --locked
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked
PIMREADY_E2E=1 timeout 600 dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test --workspace --locked --test integration desktop -- --test-threads=1 --nocapture
