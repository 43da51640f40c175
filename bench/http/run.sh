#!/usr/bin/env bash
# HTTP boot-storm benchmark: phoneprov and nginx serve the same bytes (the master and extension
# file of 10,000 phones), loaded in the same run by wrk with 64 keep-alive connections asking for
# random files. Needs nginx-light, wrk and bc (Debian).
# Usage: [PHONEPROV_BIN=path] bench/http/run.sh [PHONES] [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
PHONES=${1:-10000}
SECONDS_EACH=${2:-10}
ROUNDS=${3:-5}
command -v nginx >/dev/null && command -v wrk >/dev/null || {
    echo "needs nginx and wrk: apt-get install nginx-light wrk" >&2; exit 1; }
# PHONEPROV_BIN: another build of phoneprov to measure (e.g. an older commit's), else this one.
if [[ -n "${PHONEPROV_BIN:-}" ]]; then
    BIN=$PHONEPROV_BIN
else
    cargo build --release -q
    BIN=$PWD/target/release/phoneprov
fi
WORK=$(mktemp -d /tmp/phoneprov-bench-http.XXXXXX)
cleanup() {
    [[ -n "${SERVER:-}" ]] && kill "$SERVER" 2>/dev/null || true
    [[ -f "$WORK/nginx/nginx.pid" ]] && nginx -p "$WORK/nginx" -c nginx.conf -s stop 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

make_deployment "$BIN" "$WORK/data" "$PHONES"
python3 - "$PHONES" > "$WORK/files.txt" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    print(f"0004f2{i:06x}.cfg")
    print(f"{100000 + i}.cfg")
PY

PP_PORT=$(free_port)
# Default logging: every credential file served leaves its audit line, as in a real deployment.
"$BIN" --data-dir "$WORK/data" --server-address 10.0.0.1 serve \
    --http-listen "127.0.0.1:$PP_PORT" --admin-token bench-admin-token-0123456789 2> "$WORK/phoneprov.log" &
SERVER=$!
wait_for_http "$PP_PORT"

# The same bytes on disk for nginx.
mkdir -p "$WORK/www" "$WORK/nginx"
python3 - "$PP_PORT" "$WORK/files.txt" "$WORK/www" <<'PY'
import http.client, sys
port, names, root = sys.argv[1], sys.argv[2], sys.argv[3]
conn = http.client.HTTPConnection("127.0.0.1", int(port))
for name in open(names).read().split():
    conn.request("GET", "/" + name)
    body = conn.getresponse().read()
    open(f"{root}/{name}", "wb").write(body)
PY
NG_PORT=$(free_port)
cat > "$WORK/nginx/nginx.conf" <<CONF
user root;
worker_processes 2;
worker_rlimit_nofile 65536;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
    # Its access log on, buffered, so both servers keep their trail.
    access_log $WORK/nginx/access.log combined buffer=64k flush=1s;
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/nginx;
    proxy_temp_path $WORK/nginx;
    fastcgi_temp_path $WORK/nginx;
    uwsgi_temp_path $WORK/nginx;
    scgi_temp_path $WORK/nginx;
    types { text/xml cfg; }
    server { listen 127.0.0.1:$NG_PORT; root $WORK/www; }
}
CONF
nginx -p "$WORK/nginx" -c nginx.conf

# Waits until phoneprov has written what it gathered (its CPU time stops growing), so its
# deferred last-seen writes never run during nginx's turn.
settle() {
    local before after
    for _ in $(seq 40); do
        before=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
        sleep 0.5
        after=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
        [[ $((after - before)) -le 2 ]] && return
    done
}
run() { # name port
    FILES="$WORK/files.txt" wrk -t2 -c64 -d"${SECONDS_EACH}s" --latency \
        -s bench/http/random-file.lua "http://127.0.0.1:$2/" > "$WORK/$1.txt"
    local rps p99 errors
    rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$1.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$WORK/$1.txt")
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$WORK/$1.txt" | tr -s " " | paste -sd";")
    echo "$rps" >> "$WORK/$1.rates"
    printf '%-10s %12s req/s   p99 %s  %s\n' "$1" "$rps" "$p99" "$errors"
}
echo "HTTP boot storm: $PHONES phones, $((PHONES * 2)) files, wrk -t2 -c64 -d${SECONDS_EACH}s, random file per request"
# A warm-up round renders every phoneprov file once; then alternating rounds, so both servers see
# the same (noisy, shared) machine. The medians are the result.
FILES="$WORK/files.txt" wrk -t2 -c64 -d3s -s bench/http/random-file.lua "http://127.0.0.1:$PP_PORT/" > /dev/null
for round in $(seq "$ROUNDS"); do
    echo "round $round"
    run phoneprov "$PP_PORT"
    settle
    run nginx "$NG_PORT"
done
pp=$(median "$WORK/phoneprov.rates")
ng=$(median "$WORK/nginx.rates")
printf 'median     phoneprov %.0f req/s, nginx %.0f req/s, ratio %.2f\n' "$pp" "$ng" "$(echo "$pp / $ng" | bc -l)"
