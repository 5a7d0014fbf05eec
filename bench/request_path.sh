#!/usr/bin/env bash
# The request path under load: `graphmeet serve --plain-http` (release build, fresh data
# directory, 127.0.0.1 on a free port) measured with wrk, on SQLite and, when a PostgreSQL URL
# is set, on PostgreSQL (a fresh schema per run). Each figure is printed beside a baseline
# measured in the same run: GET /healthz for the Graph calls, `openssl speed rsa2048` sign/s
# for the token endpoint. The machine's speed cancels out of the ratios; compare those.
#
#   bench/request_path.sh                      # SQLite (and PostgreSQL when a URL is set)
#   GRAPHMEET_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test bench/request_path.sh
#   bench/request_path.sh -d 30s -c 64 -t 2    # wrk's duration, connections, threads
#   bench/request_path.sh --backend postgres   # sqlite | postgres | both
#
# It prints figures and never fails on slowness; it exits non-zero only when it cannot run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

usage() {
    cat <<EOF
usage: $0 [-d DURATION] [-c CONNECTIONS] [-t THREADS] [--timeout T] [--warmup W]
          [--openssl-seconds S] [--backend sqlite|postgres|both]

  -d, --duration       wrk's run per operation (default $WRK_DURATION)
  -c, --connections    connections kept open (default $WRK_CONNECTIONS)
  -t, --threads        wrk threads (default $WRK_THREADS)
      --timeout        wrk's per-request timeout (default $WRK_TIMEOUT)
      --warmup         unmeasured GET /healthz load before the first operation (default 2s)
      --openssl-seconds  seconds per openssl speed test, sign and verify each (default 5)
      --backend        default: SQLite, plus PostgreSQL when GRAPHMEET_BENCH_POSTGRES_URL or
                       GRAPHMEET_TEST_POSTGRES_URL is set
EOF
}

WARMUP=2s
OPENSSL_SECONDS=5
BACKEND=auto
while [[ $# -gt 0 ]]; do
    case $1 in
        -d | --duration) WRK_DURATION=$2; shift 2 ;;
        -c | --connections) WRK_CONNECTIONS=$2; shift 2 ;;
        -t | --threads) WRK_THREADS=$2; shift 2 ;;
        --timeout) WRK_TIMEOUT=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --openssl-seconds) OPENSSL_SECONDS=$2; shift 2 ;;
        --backend) BACKEND=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

BACKENDS=$(backends_for "$BACKEND")
need_common_tools "$([[ $BACKENDS == *postgres* ]] && echo postgres)"
need openssl "apt-get install -y openssl"
[[ $MISSING_TOOLS == 0 ]] || exit 1
OPENSSL_PROCS=$(nproc)

build_release
bench_tmpdir
RESULTS=$REPLY/results.tsv
: >"$RESULTS"
STARTED=$SECONDS

MEETING_BODY='{"subject":"Bench meeting","startDateTime":"2026-12-01T14:00:00Z","endDateTime":"2026-12-01T15:00:00Z"}'

record() { # BACKEND OPERATION GMBENCH-OUTPUT
    printf '%s\t%s\t%s\n' "$1" "$2" "$(tr '\n' '\t' <<<"$3")" >>"$RESULTS"
}

measure() { # BACKEND OPERATION [GM_VAR=value …]: one wrk run, recorded
    local backend=$1 op=$2 out
    shift 2
    out=$(wrk_run "$@")
    record "$backend" "$op" "$out"
}

# openssl's aggregate RSA-2048 sign/s over all its processes: the line
# "rsa 2048 bits 0.000853s 0.000040s   1172.8  25206.7" (sign/s, verify/s).
openssl_sign_rate() {
    openssl speed -seconds "$OPENSSL_SECONDS" -multi "$OPENSSL_PROCS" rsa2048 2>/dev/null |
        awk '$1 == "rsa" && $2 == "2048" && $3 == "bits" { rate = $6 } END { if (rate == "") exit 1; print rate }'
}

run_backend() { # BACKEND
    local backend=$1 data db creds org token created id join get_path filter_path n form sign
    echo "== $backend: starting the server" >&2
    bench_tmpdir
    data=$REPLY
    fresh_database_url "$backend"
    db=$REPLY
    start_server "$data" "$db"

    creds=$data/dev-credentials.json
    org=$(json_field "$creds" user_id)
    token=$(get_token "$(json_field "$creds" token_url)" "$(json_field "$creds" client_id)" \
        "$(json_field "$creds" client_secret)")

    # One meeting made beforehand for get-by-id and $filter, both checked once with curl.
    created=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "$MEETING_BODY" "$SERVER_URL/v1.0/users/$org/onlineMeetings")
    id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$created")
    join=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["joinWebUrl"])' "$created")
    get_path="/v1.0/users/$org/onlineMeetings/$(kiota_encode "$id")"
    filter_path="/v1.0/users/$org/onlineMeetings?\$filter=$(kiota_encode "JoinWebUrl eq '$join'")"
    curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$SERVER_URL$get_path"
    n=$(curl -fsS -H "Authorization: Bearer $token" "$SERVER_URL$filter_path" |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin)["value"]))')
    if [[ $n != 1 ]]; then
        echo "\$filter=JoinWebUrl eq … found $n meetings, not 1" >&2
        return 1
    fi
    form="grant_type=client_credentials&client_id=$(json_field "$creds" client_id)"
    form+="&client_secret=$(kiota_encode "$(json_field "$creds" client_secret)")"
    form+="&scope=$(kiota_encode https://graph.microsoft.com/.default)"

    echo "== $backend: measuring (wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION each)" >&2
    wrk_run "$WARMUP" GM_PATH=/healthz >/dev/null
    measure "$backend" healthz GM_PATH=/healthz
    measure "$backend" create GM_METHOD=POST GM_PATH="/v1.0/users/$org/onlineMeetings" \
        GM_BODY="$MEETING_BODY" GM_CONTENT_TYPE=application/json GM_TOKEN="$token" GM_EXPECT=201
    measure "$backend" get GM_PATH="$get_path" GM_TOKEN="$token"
    measure "$backend" filter GM_PATH="$filter_path" GM_TOKEN="$token"
    # The token endpoint signs one RS256 token per request: its baseline is openssl's RSA-2048
    # signing rate on all cores, measured right before it.
    sign=$(openssl_sign_rate)
    record "$backend" openssl "GMBENCH sign_per_s=$sign procs=$OPENSSL_PROCS"
    measure "$backend" token GM_METHOD=POST GM_PATH="/$(json_field "$creds" tenant_id)/oauth2/v2.0/token" \
        GM_BODY="$form" GM_CONTENT_TYPE=application/x-www-form-urlencoded
    stop_server
}

for backend in $BACKENDS; do
    run_backend "$backend"
done

python3 - "$RESULTS" "$WRK_THREADS" "$WRK_CONNECTIONS" "$WRK_DURATION" "$((SECONDS - STARTED))" <<'EOF'
import sys

path, threads, connections, duration, elapsed = sys.argv[1:6]
runs = {}
for line in open(path):
    backend, op, *rest = line.rstrip("\n").split("\t")
    fields, first_bad = {}, None
    for part in rest:
        if part.startswith("GMBENCH_FIRST_BAD "):
            first_bad = part[len("GMBENCH_FIRST_BAD "):]
        elif part.startswith("GMBENCH "):
            for kv in part.split()[1:]:
                k, v = kv.split("=", 1)
                fields[k] = float(v)
    fields["first_bad"] = first_bad
    runs.setdefault(backend, {})[op] = fields

def rate(r):
    """Successful responses per second."""
    return (r["requests"] - r["bad_status"]) / (r["duration_us"] / 1e6)

def errors(r):
    return int(r["bad_status"] + r["socket_errors"] + r["timeouts"])

def pct(x):
    return f"{x:.1%}" if x >= 0.01 else f"{x:.2%}"

NAMES = {
    "healthz": "GET /healthz (baseline)",
    "create": "POST …/onlineMeetings",
    "get": "GET …/onlineMeetings/{id}",
    "filter": "GET …?$filter=JoinWebUrl eq",
    "token": "POST /{tenant}/oauth2/v2.0/token",
}

print(f"wrk -t{threads} -c{connections} -d{duration} per operation; 127.0.0.1, plain HTTP, release build")
print("ratios compare figures of the same run: compare them, not req/s, across machines and commits")
creates = {}
for backend, ops in runs.items():
    base = rate(ops["healthz"])
    sign = ops["openssl"]["sign_per_s"]
    print()
    print(f"== {'SQLite' if backend == 'sqlite' else 'PostgreSQL'}")
    print(f"  {'operation':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  {'ratio':<19} target")
    notes = []
    for op in ["healthz", "create", "get", "filter", "token"]:
        r = ops[op]
        rps = rate(r)
        p50, p99 = r["p50_us"] / 1000, r["p99_us"] / 1000
        if op == "token":
            share = rps / sign
            ratio = f"{pct(share):>6} of openssl"
            goal, met = "≥ 50 % of openssl", share >= 0.50
        else:
            share = rps / base
            ratio = f"{pct(share):>6} of healthz" if op != "healthz" else "baseline"
            goal, met = {
                "healthz": ("", None),
                "create": ("≥ 25 % of healthz, p99 < 20 ms", share >= 0.25 and p99 < 20),
                "get": ("≥ 35 % of healthz", share >= 0.35),
                "filter": ("", None),
            }[op]
        if errors(r):
            met = None
            goal += " (not judged: errors)"
            notes.append(f"  {NAMES[op]}: {errors(r)} errors; first unexpected answer: {r['first_bad'] or 'socket error or timeout'}")
        mark = "" if met is None else ("  met" if met else "  NOT met")
        print(f"  {NAMES[op]:<34} {rps:>9.1f} {p50:>8.2f} {p99:>8.2f} {errors(r):>7}  {ratio:<19} {goal}{mark}")
    print(f"  {'openssl speed rsa2048 sign/s':<34} {sign:>9.1f} {'':>8} {'':>8} {'':>7}  (openssl speed -multi {int(ops['openssl']['procs'])}, the token baseline)")
    for note in notes:
        print(note)
    creates[backend] = (rate(ops["create"]), rate(ops["create"]) / base)

if "sqlite" in creates and "postgres" in creates:
    (s, s_share), (p, p_share) = creates["sqlite"], creates["postgres"]
    met = "met" if p / s >= 0.50 else "NOT met"
    print()
    print(f"PostgreSQL create / SQLite create: {p / s:.1%} (target ≥ 50 %: {met});"
          f" as shares of each run's healthz: {p_share / s_share:.1%}")
print()
print(f"run time: {elapsed} s (build excluded)")
EOF
