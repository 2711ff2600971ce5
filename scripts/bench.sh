#!/usr/bin/env bash
# Runs every benchmark (release profile) and prints the tables docs/performance.md quotes:
# collection vs the round-trip lower bound, scaling, throttling and rendering
# (tests/benches/collect.rs), the renderers in detail and the history store
# (crates/pimready-core/benches). Pass extra cargo arguments after the script name.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --locked -p pimready-tests -p pimready-core "$@"
