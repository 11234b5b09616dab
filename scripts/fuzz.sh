#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/fuzz_targets (the access-log parser's), one after
# the other, and fails on the first crash (libFuzzer leaves the input in fuzz/artifacts/).
#
# Usage: scripts/fuzz.sh [--smoke] [--runs N] [--seconds S] [TARGET ...]
#   --runs N      libFuzzer -runs=N per target (default 10,000,000)
#   --seconds S   run each target S seconds instead (-max_total_time=S)
#   --smoke       a few seconds per target (FUZZ_SMOKE_SECONDS, default 5): for CI
# Needs the nightly toolchain and cargo-fuzz; cargo-fuzz is installed when missing.
# Built optimised with debug assertions and overflow checks (-O -a), and without a
# sanitizer by default (FUZZ_SANITIZER=none): src/accesslog is forbid(unsafe_code), so
# AddressSanitizer would only slow the search 3-5x; FUZZ_SANITIZER=address to use it.
# New corpus entries go to fuzz/corpus/TARGET (ignored by git); fuzz/seeds/TARGET holds the
# committed starting inputs. A crash found here becomes a unit test in src/accesslog/tests.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS=10000000
SAN="${FUZZ_SANITIZER:-none}"
SECONDS_PER_TARGET=""
TARGETS=()
while (($#)); do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --seconds) SECONDS_PER_TARGET="$2"; shift 2 ;;
        --smoke) SECONDS_PER_TARGET="${FUZZ_SMOKE_SECONDS:-5}"; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) TARGETS+=("$1"); shift ;;
    esac
done

log() { printf '[fuzz] %s\n' "$*" >&2; }

rustup toolchain list | grep -q '^nightly' || {
    log "installing the nightly toolchain (cargo-fuzz needs -Zsanitizer)"
    rustup toolchain install nightly --profile minimal
}
command -v cargo-fuzz >/dev/null 2>&1 || {
    log "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
}

cd "$ROOT/fuzz"
if ((${#TARGETS[@]} == 0)); then
    for f in fuzz_targets/*.rs; do TARGETS+=("$(basename "$f" .rs)"); done
fi

if [ -n "$SECONDS_PER_TARGET" ]; then
    LIMIT=(-max_total_time="$SECONDS_PER_TARGET")
else
    LIMIT=(-runs="$RUNS")
fi

log "building ${TARGETS[*]}"
cargo +nightly fuzz build -O -a -s "$SAN" >&2
for t in "${TARGETS[@]}"; do
    mkdir -p "corpus/$t" "seeds/$t"
    log "$t: ${LIMIT[*]}"
    start=$(date +%s)
    # -print_final_stats gives the exec count; libFuzzer exits non-zero on a crash.
    cargo +nightly fuzz run -O -a -s "$SAN" "$t" "corpus/$t" "seeds/$t" -- \
        "${LIMIT[@]}" -print_final_stats=1 -max_len=4096 2>"$ROOT/fuzz/last-$t.log" ||
        { tail -n 40 "$ROOT/fuzz/last-$t.log" >&2; log "$t: CRASH (see fuzz/artifacts/$t)"; exit 1; }
    execs="$(awk '/stat::number_of_executed_units/ {print $2}' "$ROOT/fuzz/last-$t.log")"
    log "$t: ok, ${execs:-?} executions in $(($(date +%s) - start)) s"
done
