#!/usr/bin/env bash
# RS256 signing providers at the token endpoint's limit: signatures/s of ring (key parsed per
# signature, as jsonwebtoken 9 does, and parsed once) and of aws-lc-rs (parsed once, graphmeet's
# signer), on one thread and on THREADS threads, against `openssl speed rsa2048` measured in the
# same run; plus verifications/s. Options go to the example, e.g.:
#
#   bench/sign_providers.sh
#   THREADS=4 bench/sign_providers.sh --seconds 3 --rounds 5
#
# It prints figures and never fails on slowness; it exits non-zero only if a run cannot start.
set -euo pipefail

cd "$(dirname "$0")/.."

THREADS="${THREADS:-2}"
OPENSSL_SECONDS="${OPENSSL_SECONDS:-3}"

cargo build --quiet --release -p graphmeet-core --example sign_providers

# The sign/s column of `openssl speed`'s last line: "rsa 2048 bits <sign s> <verify s> <sign/s> <verify/s>".
openssl_sign() {
    openssl speed -seconds "$OPENSSL_SECONDS" "$@" rsa2048 2>/dev/null |
        awk '/^rsa 2048 bits/ { print $6 }' | tail -n 1
}

echo "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(openssl version | cut -d' ' -f1-2)"
sign_1="$(openssl_sign)"
sign_multi="$(openssl_sign -multi "$THREADS")"
if [[ -z "$sign_1" || -z "$sign_multi" ]]; then
    echo "openssl speed printed no rsa2048 figure" >&2
    exit 1
fi

target/release/examples/sign_providers --threads "$THREADS" \
    --openssl-sign-1 "$sign_1" --openssl-sign-multi "$sign_multi" "$@"
