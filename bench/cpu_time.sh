#!/usr/bin/env bash
# The server's CPU time per request (user + system, every thread, from /proc/PID/stat) for a
# fixed workload: N creates (`POST …/onlineMeetings`) sent by C concurrent keep-alive clients,
# then N gets by id. Unlike req/s under wrk, this hardly depends on how busy the machine is
# (only the server's own work is counted, not the time it waits for a core), so it compares
# two builds of the request path on a shared machine (bench/README.md).
#
#   bench/cpu_time.sh                        # SQLite, 5000 creates and gets, 8 clients
#   bench/cpu_time.sh -n 20000 -c 16
#   bench/cpu_time.sh --backend postgres     # needs GRAPHMEET_BENCH_POSTGRES_URL or the tests'
#   GRAPHMEET_BENCH_BIN=/path/to/graphmeet bench/cpu_time.sh   # another build, as is
#
# The clients (Python) are not counted. Concurrency changes how many creates share a batch
# (and so the per-create cost of a commit): compare runs made with the same -c.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

REQUESTS=5000
CLIENTS=8
BACKEND=sqlite
while [[ $# -gt 0 ]]; do
    case $1 in
        -n | --requests) REQUESTS=$2; shift 2 ;;
        -c | --clients) CLIENTS=$2; shift 2 ;;
        --backend) BACKEND=$2; shift 2 ;;
        -h | --help)
            echo "usage: $0 [-n REQUESTS] [-c CLIENTS] [--backend sqlite|postgres]"
            exit 0
            ;;
        *) echo "usage: $0 [-n REQUESTS] [-c CLIENTS] [--backend sqlite|postgres]" >&2; exit 2 ;;
    esac
done

need_common_tools "$([[ $BACKEND == postgres ]] && echo postgres)"
[[ $MISSING_TOOLS == 0 ]] || exit 1
build_release

bench_tmpdir
data=$REPLY
fresh_database_url "$BACKEND"
db=$REPLY
echo "== starting $BIN ($BACKEND)" >&2
start_server "$data" "$db"

creds=$data/dev-credentials.json
org=$(json_field "$creds" user_id)
token=$(get_token "$(json_field "$creds" token_url)" "$(json_field "$creds" client_id)" \
    "$(json_field "$creds" client_secret)")

# CPU time the server has used so far, in clock ticks (utime + stime, every thread).
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"
}

phase() { # NAME METHOD PATH EXPECT [BODY]
    local name=$1 before after n
    before=$(cpu_ticks)
    n=$(python3 - "$SERVER_URL" "$token" "$REQUESTS" "$CLIENTS" "$2" "$3" "$4" "${5:-}" <<'EOF'
import http.client, sys, threading, urllib.parse
url, token, total, clients, method, path, expect, body = sys.argv[1:9]
total, clients, expect = int(total), int(clients), int(expect)
parts = urllib.parse.urlsplit(url)
ok = [0] * clients
def client(k):
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    headers = {"Authorization": "Bearer " + token}
    if body:
        headers["Content-Type"] = "application/json"
    for _ in range(total // clients + (1 if k < total % clients else 0)):
        conn.request(method, path, body=body or None, headers=headers)
        answer = conn.getresponse()
        answer.read()
        if answer.status == expect:
            ok[k] += 1
threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
print(sum(ok))
EOF
)
    after=$(cpu_ticks)
    python3 -c 'import os,sys; b,a,n,name=int(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]),sys.argv[4]; t=os.sysconf("SC_CLK_TCK"); print(f"{name:<28} {n:>6} ok  {(a-b)/t*1e6/max(n,1):>9,.0f} µs of server CPU per request")' \
        "$before" "$after" "$n" "$name"
    [[ $n == "$REQUESTS" ]] || echo "  ($((REQUESTS - n)) requests did not get the expected status)" >&2
}

body='{"subject":"Bench meeting","startDateTime":"2026-12-01T14:00:00Z","endDateTime":"2026-12-01T15:00:00Z"}'
created=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "$body" "$SERVER_URL/v1.0/users/$org/onlineMeetings")
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$created")
echo "server CPU time, $BACKEND, $CLIENTS concurrent clients, $REQUESTS requests per phase"
phase "POST …/onlineMeetings" POST "/v1.0/users/$org/onlineMeetings" 201 "$body"
phase "GET …/onlineMeetings/{id}" GET "/v1.0/users/$org/onlineMeetings/$(kiota_encode "$id")" 200
