#!/usr/bin/env sh
# Runs every fuzz target for N seconds each, one after another (default 600).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). On stable Rust the nightly flags
# cargo-fuzz passes are unlocked with RUSTC_BOOTSTRAP=1. The build uses no sanitizer
# (the project forbids unsafe code; libFuzzer still finds panics, overflows and
# hangs) and keeps debug assertions and overflow checks on. Crashes land in
# fuzz/artifacts/<target>/; the growing corpus in fuzz/corpus/<target>/ (both
# ignored by git); run logs in fuzz/logs/; the committed seeds in fuzz/seeds/<target>/ and, for the
# TOML and snapshot parsers, the data files in crates/pimready-core/data/ are read, not written.
set -eu

seconds="${1:-600}"
[ "$#" -gt 0 ] && shift
cd "$(dirname "$0")/../fuzz"

export RUSTC_BOOTSTRAP=1

if [ "$#" -gt 0 ]; then
    targets="$*"
else
    targets="snapshot_json graph_parsers iso_duration price_book retry_after batch_response"
fi

cargo fuzz build -s none -a
# With -jobs=1 libFuzzer runs the job in a child process whose output goes to
# fuzz-0.log; it is kept as logs/<target>.log (ignored by git).
mkdir -p logs
status=0
for target in $targets; do
    mkdir -p "corpus/$target"
    echo "== $target: ${seconds}s"
    rm -f fuzz-0.log
    # The data files seed the parsers that read them, where they live (no copies to drift).
    extra=""
    case "$target" in
        price_book|snapshot_json) extra="../crates/pimready-core/data" ;;
    esac
    mkdir -p "seeds/$target"
    # shellcheck disable=SC2086 # $extra is one directory or nothing
    nice -n 19 cargo fuzz run -s none -a "$target" "corpus/$target" "seeds/$target" $extra -- \
        -max_total_time="$seconds" -jobs=1 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 || status=1
    [ -f fuzz-0.log ] && mv fuzz-0.log "logs/$target.log" && tail -n 25 "logs/$target.log"
done
exit "$status"
