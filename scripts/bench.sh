#!/usr/bin/env bash
# Runs every benchmark (release profile) and prints the tables docs/performance.md quotes:
# collection vs the round-trip lower bound, scaling, throttling and rendering
# (tests/benches/collect.rs), the renderers in detail and the history store
# (crates/pimready-report/benches, crates/pimready-history/benches), and the desktop app's start-up and memory
# (tests/benches/desktop.rs, under Xvfb; skipped when tauri-driver or xvfb-run is
# missing). Pass extra cargo arguments after the script name.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --locked -p pimready-tests -p pimready-report -p pimready-history --bench collect --bench render --bench history "$@"

# The desktop bench drives the app as the end-to-end tests do (debug build of the app:
# the start-up cost is WebKit's, not Rust's).
if command -v tauri-driver >/dev/null && command -v xvfb-run >/dev/null; then
  cargo build --locked -p pimready-desktop
  PIMREADY_E2E=1 dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
    cargo bench --locked -p pimready-tests --bench desktop "$@"
else
  echo "desktop bench skipped: needs tauri-driver (cargo install tauri-driver --locked) and xvfb-run"
fi
