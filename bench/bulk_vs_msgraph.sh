#!/usr/bin/env bash
# Bulk creation: `graphmeet meeting bulk` against the same createOrGet calls made with the
# Python msgraph-sdk (asyncio, the same concurrency), on one `graphmeet serve` (release build,
# temporary data directory, free port), in the same run. Each side creates ROWS new meetings
# (its own external ids), then runs again over the same rows (all existing).
#
#   bench/bulk_vs_msgraph.sh                    # 1000 rows, concurrency 8
#   ROWS=5000 CONCURRENCY=32 bench/bulk_vs_msgraph.sh
#
# Needs python3 (the compat venv, target/compat-venv, is made from
# tests/compat/python/requirements.txt if missing) and curl. It prints figures and never fails on
# slowness; it exits non-zero only if a run cannot start or a side reports failed rows.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
ROWS=${ROWS:-1000}
CONCURRENCY=${CONCURRENCY:-8}
VENV=${GRAPHMEET_COMPAT_VENV:-$ROOT/target/compat-venv}

cargo build --quiet --release -p graphmeet
BIN=$ROOT/target/release/graphmeet

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "creating the compat venv at $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/compat/python/requirements.txt
fi

DATA=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$DATA"
}
trap cleanup EXIT

GRAPHMEET_LOG=warn "$BIN" serve --listen 127.0.0.1:0 --data-dir "$DATA" >"$DATA/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
    if [[ -s "$DATA/server.json" && -s "$DATA/dev-credentials.json" ]]; then
        URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$DATA/server.json")
        if curl -fsS --cacert "$DATA/tls/ca.pem" "$URL/readyz" >/dev/null 2>&1; then
            break
        fi
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "graphmeet serve did not start:" >&2
        cat "$DATA/serve.log" >&2
        exit 1
    fi
    sleep 0.1
done
curl -fsS --cacert "$DATA/tls/ca.pem" "$URL/readyz" >/dev/null
ORGANIZER=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user_id"])' "$DATA/dev-credentials.json")

rows() { # PREFIX FILE
    python3 - "$1" "$2" "$ROWS" <<'EOF'
import sys
prefix, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path, "w") as f:
    f.write("external_id,organizer,subject,start,end\n")
    for i in range(n):
        f.write(f"{prefix}-{i},,Bench meeting {i},2026-06-01T09:00:00Z,2026-06-01T10:00:00Z\n")
EOF
}
rows rust "$DATA/rust.csv"
rows py "$DATA/py.csv"

now() { python3 -c 'import time; print(time.time())'; }

# graphmeet meeting bulk: prints "N rows: … in S s (R rows/s)" on stderr.
run_bulk() { # OUT -> "created existing failed in-loop-seconds wall-seconds"
    local start end summary
    start=$(now)
    GRAPHMEET_LOG=error "$BIN" --data-dir "$DATA" meeting bulk --csv "$DATA/rust.csv" --out "$1" \
        --organizer "$ORGANIZER" --concurrency "$CONCURRENCY" --quiet 2>"$DATA/bulk.err" || true
    end=$(now)
    summary=$(grep -E '^[0-9]+ rows: ' "$DATA/bulk.err" || { cat "$DATA/bulk.err" >&2; exit 1; })
    python3 - "$summary" "$start" "$end" <<'EOF'
import re, sys
m = re.match(r"(\d+) rows: (\d+) created, (\d+) existing, (\d+) failed in ([\d.]+) s", sys.argv[1])
print(m.group(2), m.group(3), m.group(4), m.group(5), float(sys.argv[3]) - float(sys.argv[2]))
EOF
}

# msgraph-sdk: prints one JSON object.
run_python() { # -> "created existing failed in-loop-seconds wall-seconds"
    local start end out
    start=$(now)
    out=$(SSL_CERT_FILE="$DATA/tls/ca.pem" REQUESTS_CA_BUNDLE="$DATA/tls/ca.pem" \
        "$VENV/bin/python" tests/compat/python/bench_msgraph_bulk.py \
        "$DATA/dev-credentials.json" "$DATA/py.csv" "$CONCURRENCY")
    end=$(now)
    python3 - "$out" "$start" "$end" <<'EOF'
import json, sys
r = json.loads(sys.argv[1])
if r["first_error"]:
    print("msgraph-sdk first error:", r["first_error"], file=sys.stderr)
print(r["created"], r["existing"], r["failed"], r["seconds"], float(sys.argv[3]) - float(sys.argv[2]))
EOF
}

report() { # LABEL "graphmeet figures" "msgraph figures"
    python3 - "$1" "$2" "$3" "$ROWS" <<'EOF'
import sys
label, g, p, rows = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), int(sys.argv[4])
def line(name, f):
    created, existing, failed, loop, wall = int(f[0]), int(f[1]), int(f[2]), float(f[3]), float(f[4])
    print(f"  {name:<22} {created:>7} {existing:>8} {failed:>6} {loop:>8.2f} {rows/loop:>9.1f} {wall:>8.2f} {rows/wall:>9.1f}")
    return rows / loop, rows / wall, failed
print(f"== {label}")
print(f"  {'client':<22} {'created':>7} {'existing':>8} {'failed':>6} {'loop s':>8} {'rows/s':>9} {'wall s':>8} {'rows/s':>9}")
g_loop, g_wall, g_failed = line("graphmeet meeting bulk", g)
p_loop, p_wall, p_failed = line("msgraph-sdk (Python)", p)
print(f"  ratio graphmeet / msgraph-sdk: {g_loop / p_loop:.2f}x (loop), {g_wall / p_wall:.2f}x (wall, process start included)")
if g_failed or p_failed:
    sys.exit(1)
EOF
}

echo "rows: $ROWS, concurrency: $CONCURRENCY, server: $URL (release build, SQLite, temporary data dir)"
echo "loop = first call to last answer (token included); wall = the whole process (startup, imports)"
echo
report "create: $ROWS new meetings each" "$(run_bulk "$DATA/rust-1.csv")" "$(run_python)"
echo
report "re-run: the same $ROWS rows, all existing" "$(run_bulk "$DATA/rust-2.csv")" "$(run_python)"
