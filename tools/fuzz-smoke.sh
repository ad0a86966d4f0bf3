#!/usr/bin/env bash
# Fuzz smoke run on a stable toolchain: every logsec-parse fuzz target's body over its seed
# inputs, its kept regression inputs and MUTATIONS deterministic random mutations of them
# (default 5000 per target). No libFuzzer and no nightly needed; a crash fails the run and the
# input is saved under fuzz/artifacts/smoke/<target>/.
#
#   tools/fuzz-smoke.sh                   # all targets, 5000 mutations each
#   MUTATIONS=20000 tools/fuzz-smoke.sh   # longer
#   tools/fuzz-smoke.sh --target parse_syslog --seed 7
#
# Real fuzzing uses cargo-fuzz on the same bodies:
#   RUSTC_BOOTSTRAP=1 cargo fuzz run parse_syslog fuzz/corpus/parse_syslog fuzz/seeds/parse_syslog -- -max_total_time=60
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --release --locked \
    --manifest-path fuzz/Cargo.toml --no-default-features --features smoke --bin fuzz_smoke -- \
    --mutations "${MUTATIONS:-5000}" "$@"
