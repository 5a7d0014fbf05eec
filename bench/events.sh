#!/usr/bin/env bash
# Calendar events under load: `graphmeet serve --plain-http` (release build, fresh data
# directory, 127.0.0.1 on a free port) measured with wrk, on SQLite and, when a PostgreSQL URL
# is set, on PostgreSQL (a fresh schema per run): POST …/events with a Teams meeting
# (isOnlineMeeting, an in-tenant attendee whose copy is written too) and GET …/calendarView over
# a day holding 50 events, each beside GET /healthz measured in the same run. The machine's
# speed cancels out of the ratios; compare those.
#
#   bench/events.sh                      # SQLite (and PostgreSQL when a URL is set)
#   bench/events.sh -d 30s -c 64 -t 2    # wrk's duration, connections, threads
#   bench/events.sh --backend postgres   # sqlite | postgres | both
#
# calendarView is measured before the creates, on a mailbox of 50 events: creates add events
# to the same mailbox, and the view's cost grows with the events that start before its window.
# It prints figures and never fails on slowness; it exits non-zero only when it cannot run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

usage() {
    cat <<EOF
usage: $0 [-d DURATION] [-c CONNECTIONS] [-t THREADS] [--timeout T] [--warmup W]
          [--backend sqlite|postgres|both]

  -d, --duration       wrk's run per operation (default $WRK_DURATION)
  -c, --connections    connections kept open (default $WRK_CONNECTIONS)
  -t, --threads        wrk threads (default $WRK_THREADS)
      --timeout        wrk's per-request timeout (default $WRK_TIMEOUT)
      --warmup         unmeasured GET /healthz load before the first operation (default 2s)
      --backend        default: SQLite, plus PostgreSQL when GRAPHMEET_BENCH_POSTGRES_URL or
                       GRAPHMEET_TEST_POSTGRES_URL is set
EOF
}

WARMUP=2s
BACKEND=auto
while [[ $# -gt 0 ]]; do
    case $1 in
        -d | --duration) WRK_DURATION=$2; shift 2 ;;
        -c | --connections) WRK_CONNECTIONS=$2; shift 2 ;;
        -t | --threads) WRK_THREADS=$2; shift 2 ;;
        --timeout) WRK_TIMEOUT=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --backend) BACKEND=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

BACKENDS=$(backends_for "$BACKEND")
need_common_tools "$([[ $BACKENDS == *postgres* ]] && echo postgres)"
[[ $MISSING_TOOLS == 0 ]] || exit 1

build_release
bench_tmpdir
RESULTS=$REPLY/results.tsv
: >"$RESULTS"
STARTED=$SECONDS

ATTENDEE=bench-attendee@graphmeetdev.onmicrosoft.com
EVENT_BODY='{"subject":"Bench event","start":{"dateTime":"2026-12-01T09:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-12-01T09:30:00","timeZone":"Pacific Standard Time"},"attendees":[{"emailAddress":{"address":"'$ATTENDEE'"},"type":"required"}],"isOnlineMeeting":true,"onlineMeetingProvider":"teamsForBusiness"}'

record() { # BACKEND OPERATION GMBENCH-OUTPUT
    printf '%s\t%s\t%s\n' "$1" "$2" "$(tr '\n' '\t' <<<"$3")" >>"$RESULTS"
}

measure() { # BACKEND OPERATION [GM_VAR=value …]: one wrk run, recorded
    local backend=$1 op=$2 out
    shift 2
    out=$(wrk_run "$@")
    record "$backend" "$op" "$out"
}

admin() { # METHOD PATH JSON
    curl -fsS -X "$1" -H "x-graphmeet-admin-key: $ADMIN_KEY" -H 'Content-Type: application/json' \
        -d "$3" "$SERVER_URL$2" >/dev/null
}

run_backend() { # BACKEND
    local backend=$1 data db creds org tenant token view_path n i
    echo "== $backend: starting the server" >&2
    bench_tmpdir
    data=$REPLY
    fresh_database_url "$backend"
    db=$REPLY
    start_server "$data" "$db"

    creds=$data/dev-credentials.json
    org=$(json_field "$creds" user_id)
    tenant=$(json_field "$creds" tenant_id)
    ADMIN_KEY=$(tr -d '\n' <"$data/admin-key")
    admin POST /admin/consents "{\"tenant\":\"$tenant\",\"app_id\":\"$(json_field "$creds" client_id)\",\"roles\":[\"OnlineMeetings.ReadWrite.All\",\"Calendars.ReadWrite\"]}"
    admin POST /admin/users "{\"tenant\":\"$tenant\",\"upn\":\"$ATTENDEE\"}"
    token=$(get_token "$(json_field "$creds" token_url)" "$(json_field "$creds" client_id)" \
        "$(json_field "$creds" client_secret)")

    # 50 events on one day for the view, made with curl; the view checked once.
    for i in $(seq 10 59); do
        curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            -d "{\"subject\":\"seed $i\",\"start\":{\"dateTime\":\"2027-01-15T08:${i}:00\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"2027-01-15T09:${i}:00\",\"timeZone\":\"UTC\"}}" \
            "$SERVER_URL/v1.0/users/$org/events"
    done
    view_path="/v1.0/users/$org/calendarView?startDateTime=2027-01-15T00:00:00Z&endDateTime=2027-01-16T00:00:00Z"
    n=$(curl -fsS -H "Authorization: Bearer $token" "$SERVER_URL$view_path&\$top=100" |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin)["value"]))')
    if [[ $n != 50 ]]; then
        echo "calendarView found $n events, not 50" >&2
        return 1
    fi

    echo "== $backend: measuring (wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION each)" >&2
    wrk_run "$WARMUP" GM_PATH=/healthz >/dev/null
    measure "$backend" healthz GM_PATH=/healthz
    measure "$backend" view GM_PATH="$view_path" GM_TOKEN="$token"
    measure "$backend" create GM_METHOD=POST GM_PATH="/v1.0/users/$org/events" \
        GM_BODY="$EVENT_BODY" GM_CONTENT_TYPE=application/json GM_TOKEN="$token" GM_EXPECT=201
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
    return (r["requests"] - r["bad_status"]) / (r["duration_us"] / 1e6)

def errors(r):
    return int(r["bad_status"] + r["socket_errors"] + r["timeouts"])

NAMES = {
    "healthz": "GET /healthz (baseline)",
    "view": "GET …/calendarView (50 in window)",
    "create": "POST …/events (Teams meeting, 1 copy)",
}
print(f"wrk -t{threads} -c{connections} -d{duration} per operation; 127.0.0.1, plain HTTP, release build")
print("ratios compare figures of the same run: compare them, not req/s, across machines and commits")
for backend, ops in runs.items():
    base = rate(ops["healthz"])
    print()
    print(f"== {'SQLite' if backend == 'sqlite' else 'PostgreSQL'}")
    print(f"  {'operation':<40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  ratio")
    for op in ["healthz", "view", "create"]:
        r = ops[op]
        rps = rate(r)
        ratio = "baseline" if op == "healthz" else f"{rps / base:.2%} of healthz"
        print(f"  {NAMES[op]:<40} {rps:>9.1f} {r['p50_us'] / 1000:>8.2f} {r['p99_us'] / 1000:>8.2f} {errors(r):>7}  {ratio}")
        if errors(r):
            print(f"    first unexpected answer: {r['first_bad'] or 'socket error or timeout'}")
print()
print(f"run time: {elapsed} s (build excluded)")
EOF
