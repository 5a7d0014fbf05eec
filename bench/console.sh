#!/usr/bin/env bash
# The admin console against the admin API, same server, same run: a fresh `graphmeet serve
# --plain-http --no-bootstrap` (release build, 127.0.0.1 on a free port, fresh data directory,
# SQLite) gets a tenant of USERS users (default 10,000; bench/scale_seed.py: a grant each,
# 1,000 groups with group grants) through `graphmeet apply`, then the same closed-loop client
# (Python, keep-alive connections, CONCURRENCY at once, DURATION seconds each) asks for:
#
#   - the admin API's list call, GET /admin/tenants/{t}/users (every user of the tenant);
#   - the console's access matrix page, /console/matrix (25 users × the tenant's apps, each
#     cell a policy decision), its second page, a search, and the users page (50 users);
#
# and prints each one's requests per second and latency, and its ratio to the list call's.
# The console pages page through the index, so their cost does not grow with the tenant.
#
#   bench/console.sh                        # 10,000 users, 4 connections, 10 s each
#   USERS=100000 DURATION=20 CONCURRENCY=8 bench/console.sh
#
# It prints figures and never fails on slowness; it exits non-zero only when it cannot run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

USERS=${USERS:-10000}
GROUPS_N=${GROUPS_N:-1000}
DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-4}

need cargo "https://rustup.rs"
need curl "apt-get install -y curl"
need python3 "apt-get install -y python3"
[[ $MISSING_TOOLS == 0 ]] || exit 1
build_release

bench_tmpdir
WORK=$REPLY
SEED=$WORK/seed.json
python3 "$BENCH_DIR/scale_seed.py" "$USERS" "$GROUPS_N" "$SEED" "$WORK/organizers.txt" >/dev/null
start_server "$WORK" "" --no-bootstrap
echo "applying a tenant of $USERS users…" >&2
"$BIN" --data-dir "$WORK" --output json apply "$SEED" >"$WORK/apply.json"
TENANT=scale.example   # bench/scale_seed.py's tenant
KEY=$(cat "$WORK/admin-key")

# Sign in to the console as a browser does: the form's CSRF token, then the admin key.
JAR=$WORK/cookies.txt
CSRF=$(curl -fsS -c "$JAR" "$SERVER_URL/console/signin" | python3 -c 'import re,sys; print(re.search(r"name=\"csrf\" value=\"([^\"]+)\"", sys.stdin.read()).group(1))')
curl -fsS -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "key=$KEY" --data-urlencode "csrf=$CSRF" "$SERVER_URL/console/signin"
SESSION=$(awk '$6 == "graphmeet_console" { print $7 }' "$JAR")
[[ -n "$SESSION" ]] || { echo "could not sign in to the console" >&2; exit 1; }
SECOND=$(curl -fsS -b "graphmeet_console=$SESSION" "$SERVER_URL/console/matrix?tenant=$TENANT" \
    | python3 -c 'import re,sys; print(re.search(r"after=([0-9a-f-]{36})", sys.stdin.read()).group(1))')

python3 - "$SERVER_URL" "$DURATION" "$CONCURRENCY" "$KEY" "$SESSION" "$TENANT" "$SECOND" "$USERS" <<'PY'
import http.client, sys, threading, time, urllib.parse

url, duration, concurrency, key, session, tenant, second, users = sys.argv[1:]
duration, concurrency = float(duration), int(concurrency)
host = urllib.parse.urlparse(url)

def run(path, headers):
    counts, latencies, errors = [0], [], [0]
    lock = threading.Lock()
    stop = time.monotonic() + duration
    def worker():
        c = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        mine = []
        while time.monotonic() < stop:
            t = time.perf_counter()
            c.request("GET", path, headers=headers)
            r = c.getresponse()
            r.read()
            mine.append(time.perf_counter() - t)
            if r.status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.monotonic()
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.monotonic() - start
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return len(latencies) / elapsed, p(0.5), p(0.99), errors[0]

admin = {"x-graphmeet-admin-key": key}
console = {"cookie": f"graphmeet_console={session}"}
cases = [
    ("admin API GET /admin/tenants/{t}/users", f"/admin/tenants/{tenant}/users", admin),
    ("console /console/matrix (first page)", f"/console/matrix?tenant={tenant}", console),
    ("console /console/matrix (second page)", f"/console/matrix?tenant={tenant}&after={second}", console),
    ("console /console/matrix?q=user-1 (search)", f"/console/matrix?tenant={tenant}&q=user-1", console),
    ("console /console/users (first page)", f"/console/users?tenant={tenant}", console),
]
print(f"{users} users in the tenant; {concurrency} connections, {duration:.0f} s per case")
print(f"{'case':46} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs list':>8}")
baseline = None
for name, path, headers in cases:
    rps, p50, p99, errors = run(path, headers)
    baseline = baseline or rps
    print(f"{name:46} {rps:9.1f} {p50:8.1f} {p99:8.1f} {errors:7} {rps / baseline:7.2f}x")
PY
