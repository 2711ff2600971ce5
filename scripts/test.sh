#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, integration, fault matrix, properties),
# the UI's logic tests, and the desktop end-to-end tests under Xvfb when possible.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== One build of every target (tests, CLI, emulator, desktop app), features unified once"
# Every later cargo command selects the whole workspace too, so nothing is built twice.
cargo build --workspace --all-targets --locked

echo "== Rust workspace tests"
# Keychain tests need a session keyring (kernel keyutils); run inside one when available.
if command -v keyctl >/dev/null 2>&1; then
  keyctl session - cargo test --workspace --locked
else
  cargo test --workspace --locked
fi

if command -v node >/dev/null 2>&1; then
  echo "== UI logic tests"
  node --test ui/tests/
  echo "== UI type check (tsc --checkJs over the JSDoc types)"
  npx --yes -p typescript@5.9 tsc -p ui/tsconfig.json
else
  echo "node is not installed: UI logic tests skipped" >&2
fi

echo "== Desktop end-to-end tests (real window under Xvfb)"
scripts/e2e-desktop.sh
