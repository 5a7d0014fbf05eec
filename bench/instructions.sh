#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind in the server process: a figure
# that does not depend on the machine's load, for comparing two builds of the request path
# (bench/README.md). The release server runs under callgrind with collection off; collection
# is switched on for a fixed workload only: N creates (`POST …/onlineMeetings`) sent by C
# concurrent keep-alive clients, then N gets by id. Each phase's instruction count (Ir, every
# thread of the server) is divided by its number of requests.
#
#   bench/instructions.sh                    # SQLite, 2000 creates and gets, 8 clients
#   bench/instructions.sh -n 5000 -c 16
#   bench/instructions.sh --backend postgres # needs GRAPHMEET_BENCH_POSTGRES_URL or the tests'
#   GRAPHMEET_BENCH_BIN=/path/to/graphmeet bench/instructions.sh   # another build, as is
#
# The clients (Python) are not counted. Concurrency changes how many creates share a batch
# (and so the per-create cost of a commit): compare runs made with the same -c.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

REQUESTS=2000
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
need valgrind "apt-get install -y valgrind"
need callgrind_control "apt-get install -y valgrind"
[[ $MISSING_TOOLS == 0 ]] || exit 1
build_release

bench_tmpdir
data=$REPLY
fresh_database_url "$BACKEND"
db=$REPLY
out=$data/callgrind.out
# start_server runs $BIN; under valgrind, through a wrapper of the same interface.
wrapper=$data/graphmeet-under-callgrind
cat >"$wrapper" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=$out.%p "$BIN" "\$@"
EOF
chmod +x "$wrapper"
REAL_BIN=$BIN
BIN=$wrapper
SERVER_START_SECONDS=600
echo "== starting $REAL_BIN under callgrind ($BACKEND); this takes a while" >&2
start_server "$data" "$db"
BIN=$REAL_BIN

creds=$data/dev-credentials.json
org=$(json_field "$creds" user_id)
token=$(get_token "$(json_field "$creds" token_url)" "$(json_field "$creds" client_id)" \
    "$(json_field "$creds" client_secret)")

# Ir collected so far, over every thread: dump, then read the dump files' totals.
collected_ir() {
    callgrind_control -d "$SERVER_PID" >/dev/null
    cat "$out.$SERVER_PID"* 2>/dev/null | awk '$1 == "totals:" || $1 == "summary:" { s += $2 } END { print s + 0 }'
}

phase() { # NAME METHOD PATH EXPECT [BODY]
    local name=$1 before after n
    before=$(collected_ir)
    callgrind_control -i on "$SERVER_PID" >/dev/null
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
    callgrind_control -i off "$SERVER_PID" >/dev/null
    after=$(collected_ir)
    python3 -c 'import sys; b,a,n,name=int(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]),sys.argv[4]; print(f"{name:<28} {n:>6} ok  {(a-b)/max(n,1):>12,.0f} instructions per request")' \
        "$before" "$after" "$n" "$name"
    [[ $n == "$REQUESTS" ]] || echo "  ($((REQUESTS - n)) requests did not get the expected status)" >&2
}

body='{"subject":"Bench meeting","startDateTime":"2026-12-01T14:00:00Z","endDateTime":"2026-12-01T15:00:00Z"}'
created=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "$body" "$SERVER_URL/v1.0/users/$org/onlineMeetings")
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$created")
echo "callgrind, $BACKEND, $CLIENTS concurrent clients, $REQUESTS requests per phase"
phase "POST …/onlineMeetings" POST "/v1.0/users/$org/onlineMeetings" 201 "$body"
phase "GET …/onlineMeetings/{id}" GET "/v1.0/users/$org/onlineMeetings/$(kiota_encode "$id")" 200
