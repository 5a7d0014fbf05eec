# shellcheck shell=bash
# Shared by bench/request_path.sh and bench/scale.sh (sourced, not run): tool checks, the
# release build, `graphmeet serve` on a free loopback port with a fresh data directory, a fresh
# PostgreSQL schema per server, wrk runs through bench/wrk/graphmeet.lua, and the clean-up of
# all of it on exit, Ctrl-C included.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
# GRAPHMEET_BENCH_BIN: a graphmeet binary to run as is (another build, to compare), no build.
BIN=${GRAPHMEET_BENCH_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/graphmeet}
WRK_SCRIPT=$BENCH_DIR/wrk/graphmeet.lua
# The PostgreSQL server to use, if any: the bench's own variable, else the tests'.
PG_URL=${GRAPHMEET_BENCH_POSTGRES_URL:-${GRAPHMEET_TEST_POSTGRES_URL:-}}

# ---- clean-up ---------------------------------------------------------------------------------

SERVER_PID=
BENCH_TMP=()
BENCH_SCHEMAS=()

bench_cleanup() {
    local dir schema
    stop_server
    for schema in "${BENCH_SCHEMAS[@]}"; do
        psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS $schema CASCADE" \
            >/dev/null 2>&1 || echo "could not drop the PostgreSQL schema $schema" >&2
    done
    for dir in "${BENCH_TMP[@]}"; do
        rm -rf "$dir"
    done
}
trap bench_cleanup EXIT
# Background jobs of a script ignore SIGINT, so the EXIT trap is what stops the server.
trap 'exit 130' INT
trap 'exit 143' TERM

# Stops a process we started: SIGTERM (graphmeet shuts down gracefully), SIGKILL after 10 s.
stop_pid() { # PID
    local pid=$1 _
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# A temporary directory removed on exit.
bench_tmpdir() { # -> path (in $REPLY)
    REPLY=$(mktemp -d "${TMPDIR:-/tmp}/graphmeet-bench.XXXXXX")
    BENCH_TMP+=("$REPLY")
}

# ---- tools ------------------------------------------------------------------------------------

MISSING_TOOLS=0
need() { # TOOL HOW-TO-INSTALL
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "$(basename "$0"): $1 is missing; install it with: $2" >&2
        # shellcheck disable=SC2034 # read by the script that sources this file
        MISSING_TOOLS=1
    fi
}

need_common_tools() { # [postgres]
    need cargo "https://rustup.rs"
    need wrk "apt-get update && apt-get install -y wrk   (macOS: brew install wrk)"
    need curl "apt-get install -y curl"
    need python3 "apt-get install -y python3"
    if [[ "${1:-}" == postgres ]]; then
        need psql "apt-get install -y postgresql-client"
    fi
}

# ---- build ------------------------------------------------------------------------------------

build_release() {
    if [[ -n "${GRAPHMEET_BENCH_BIN:-}" ]]; then
        echo "running $GRAPHMEET_BENCH_BIN as is (GRAPHMEET_BENCH_BIN)" >&2
        return
    fi
    echo "building graphmeet (release)…" >&2
    (cd "$ROOT" && cargo build --quiet --release -p graphmeet)
}

# ---- databases --------------------------------------------------------------------------------

# A new, empty schema in the PostgreSQL database PG_URL names, dropped on exit; REPLY is the
# database URL for `serve --database-url`: libpq's `options` gives every connection of the pool
# this search_path, so graphmeet's tables (and its migration table) live in the schema.
fresh_postgres_url() {
    local schema separator
    schema="graphmeet_bench_$$_${RANDOM}${RANDOM}"
    psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $schema" >/dev/null
    BENCH_SCHEMAS+=("$schema")
    separator='?'
    if [[ "$PG_URL" == *\?* ]]; then
        separator='&'
    fi
    REPLY="${PG_URL}${separator}options=-c%20search_path%3D${schema}"
    PG_SCHEMA=$schema
}

# Whether the server's tables are in PG_SCHEMA, i.e. the URL's search_path was honoured.
check_postgres_schema() {
    local n
    n=$(psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 \
        -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = '$PG_SCHEMA'")
    if [[ $n == 0 ]]; then
        echo "the server's tables are not in the schema $PG_SCHEMA: its search_path was not applied" >&2
        return 1
    fi
}

# A fresh database for BACKEND (sqlite | postgres): REPLY is its URL, or empty for SQLite
# (serve's default, DATA_DIR/graphmeet.db, is fresh with a fresh data directory).
fresh_database_url() { # BACKEND
    case $1 in
        sqlite) REPLY= ;;
        postgres) fresh_postgres_url ;;
        *) echo "unknown backend $1" >&2; return 2 ;;
    esac
}

# Which backends to run: --backend VALUE (sqlite | postgres | both), default SQLite plus
# PostgreSQL when a URL is set.
backends_for() { # VALUE
    case ${1:-auto} in
        auto) if [[ -n "$PG_URL" ]]; then echo "sqlite postgres"; else echo sqlite; fi ;;
        sqlite) echo sqlite ;;
        postgres | both)
            if [[ -z "$PG_URL" ]]; then
                echo "--backend $1 needs GRAPHMEET_BENCH_POSTGRES_URL (or GRAPHMEET_TEST_POSTGRES_URL)," \
                    "e.g. postgres://postgres@127.0.0.1:5432/test" >&2
                return 2
            fi
            if [[ $1 == both ]]; then echo "sqlite postgres"; else echo postgres; fi
            ;;
        *) echo "--backend: expected sqlite, postgres or both, not $1" >&2; return 2 ;;
    esac
}

# ---- the server -------------------------------------------------------------------------------

# How long start_server waits for /readyz.
SERVER_START_SECONDS=${SERVER_START_SECONDS:-60}

# Starts `graphmeet serve --plain-http` on 127.0.0.1 (a free port) with DATA_DIR, and waits
# until /readyz answers (at most SERVER_START_SECONDS). Sets SERVER_PID and SERVER_URL. Extra arguments go to serve.
start_server() { # DATA_DIR DATABASE_URL(or empty) [serve args…]
    local data=$1 db=$2 _
    shift 2
    local args=(serve --plain-http --listen 127.0.0.1:0 --data-dir "$data")
    [[ -n "$db" ]] && args+=(--database-url "$db")
    GRAPHMEET_LOG=${GRAPHMEET_LOG:-warn} "$BIN" "${args[@]}" "$@" >"$data/serve.log" 2>&1 &
    SERVER_PID=$!
    SERVER_URL=
    for _ in $(seq 1 $((SERVER_START_SECONDS * 10))); do
        if [[ -z "$SERVER_URL" && -s "$data/server.json" ]]; then
            SERVER_URL=$(json_field "$data/server.json" url)
        fi
        if [[ -n "$SERVER_URL" ]] && curl -fsS "$SERVER_URL/readyz" >/dev/null 2>&1; then
            [[ -z "$db" ]] || check_postgres_schema
            return
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "graphmeet serve did not start:" >&2
            cat "$data/serve.log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "graphmeet serve did not answer /readyz within $SERVER_START_SECONDS s:" >&2
    cat "$data/serve.log" >&2
    return 1
}

# Stops the server start_server started (at most one runs at a time). Its pid is forgotten
# once it is gone, so a later clean-up cannot signal a process that reused it.
stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        stop_pid "$SERVER_PID"
        SERVER_PID=
    fi
}

# A field of /proc/PID/status in kB (VmRSS: now; VmHWM: the peak so far).
proc_kb() { # PID FIELD
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# ---- JSON and HTTP helpers --------------------------------------------------------------------

json_field() { # FILE KEY
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# RFC 6570 percent-encoding, as msgraph-sdk (kiota) sends query values and path segments:
# everything but A-Z a-z 0-9 - . _ ~ becomes %XX.
kiota_encode() { # TEXT
    python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="-._~"))' "$1"
}

# A client-credentials token for the Graph scope. Prints the access token.
get_token() { # TOKEN_URL CLIENT_ID CLIENT_SECRET
    curl -fsS "$1" \
        -d grant_type=client_credentials \
        --data-urlencode "client_id=$2" \
        --data-urlencode "client_secret=$3" \
        --data-urlencode scope=https://graph.microsoft.com/.default |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# ---- wrk --------------------------------------------------------------------------------------

WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
WRK_DURATION=${WRK_DURATION:-10s}
WRK_TIMEOUT=${WRK_TIMEOUT:-10s}

# Runs wrk against SERVER_URL with bench/wrk/graphmeet.lua. The GM_* variables configure the
# request (see the Lua file); pass them as VAR=value arguments. Prints the GMBENCH line (and a
# GMBENCH_FIRST_BAD line when some response had another status). wrk's own output goes to
# $WRK_LOG when set.
wrk_run() { # [DURATION] [GM_VAR=value …]
    local duration=$WRK_DURATION out
    if [[ $# -gt 0 && $1 != GM_* ]]; then
        duration=$1
        shift
    fi
    out=$(env "$@" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$duration" \
        --timeout "$WRK_TIMEOUT" -s "$WRK_SCRIPT" "$SERVER_URL") || {
        echo "wrk failed: $out" >&2
        return 1
    }
    [[ -n "${WRK_LOG:-}" ]] && printf '%s\n' "$out" >>"$WRK_LOG"
    grep -E '^GMBENCH(_FIRST_BAD)? ' <<<"$out" || {
        echo "wrk printed no GMBENCH line: $out" >&2
        return 1
    }
}
