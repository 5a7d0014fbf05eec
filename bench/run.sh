#!/usr/bin/env bash
# Online-meetings benchmark: create, get by id and $filter by joinMeetingId, with GET /healthz
# as the baseline of the same run, on SQLite and (when GRAPHMEET_TEST_POSTGRES_URL is set) on
# PostgreSQL. Extra arguments go to the benchmark, e.g.:
#
#   bench/run.sh --requests 5000 --concurrency 32
#   GRAPHMEET_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test bench/run.sh
#
# It prints figures and never fails on slowness; it exits non-zero only if a run cannot start.
set -euo pipefail

cd "$(dirname "$0")/.."

bench() {
    cargo run --quiet --release -p graphmeet-compat --example bench_meetings -- "$@"
}

cargo build --quiet --release -p graphmeet-compat --example bench_meetings

echo "== SQLite"
bench --backend sqlite "$@"

if [[ -n "${GRAPHMEET_TEST_POSTGRES_URL:-}" ]]; then
    echo
    echo "== PostgreSQL"
    bench --backend postgres "$@"
else
    echo
    echo "GRAPHMEET_TEST_POSTGRES_URL is not set: skipping PostgreSQL"
    echo "  (e.g. GRAPHMEET_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test $0)"
fi
