#!/usr/bin/env bash
# DHCP benchmark: relayed DORA from perfdhcp (Debian kea-admin) against phoneprov (allocate mode,
# leases committed to SQLite with fsync before each ACK, in group commits) and against Kea 2.2
# (memfile, leases written before the ACK without fsync), in the same run, at the same offered
# rates. perfdhcp acts as the relay (giaddr 127.0.0.1) and asks, with option 82 sub-option 19
# (RFC 8357), for replies on its own port. Each server is pinned to core 0, perfdhcp to core 1,
# and each run starts a fresh server. Needs kea-admin and kea-dhcp4-server (Debian).
# Usage: bench/dhcp/run.sh [SECONDS] [RATE...]     (default: 10 s at 5000 10000 15000 20000/s)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
SECONDS_EACH=${1:-10}
shift || true
RATES=("${@:-5000 10000 15000 20000}")
read -r -a RATES <<< "${RATES[*]}"
command -v perfdhcp >/dev/null && command -v kea-dhcp4 >/dev/null || {
    echo "needs perfdhcp and kea-dhcp4: apt-get install kea-admin kea-dhcp4-server" >&2; exit 1; }
cargo build --release -q
BIN=$PWD/target/release/phoneprov
WORK=$(mktemp -d /tmp/phoneprov-bench-dhcp.XXXXXX)
export KEA_PIDFILE_DIR=$WORK KEA_LOCKFILE_DIR=$WORK
cleanup() {
    [[ -n "${SERVER:-}" ]] && kill "$SERVER" 2>/dev/null || true
    [[ -n "${KEEP_LOGS:-}" ]] && cp "$WORK"/phoneprov.log /tmp/phoneprov-dhcp-bench.log; rm -rf "$WORK"
}
trap cleanup EXIT
POOL="127.16.0.0 - 127.31.255.255"

# free_udp_port: a free UDP port on 127.0.0.1.
free_udp_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_kea() {
    rm -f "$WORK/leases.csv"
    cat > "$WORK/kea.json" <<JSON
{ "Dhcp4": {
  "interfaces-config": { "interfaces": ["lo"], "dhcp-socket-type": "udp" },
  "lease-database": { "type": "memfile", "persist": true, "name": "$WORK/leases.csv", "lfc-interval": 0 },
  "valid-lifetime": 3600,
  "subnet4": [ { "id": 1, "subnet": "127.0.0.0/8", "pools": [ { "pool": "$POOL" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output_options": [ { "output": "$WORK/kea.log" } ] } ]
} }
JSON
    taskset -c 0 kea-dhcp4 -c "$WORK/kea.json" -p "$SERVER_PORT" -P "$CLIENT_PORT" > "$WORK/kea.out" 2>&1 &
    SERVER=$!
    sleep 1
}

start_phoneprov() {
    rm -rf "$WORK/data"
    cat > "$WORK/phoneprov.toml" <<TOML
http_listen = "127.0.0.1:$(free_port)"
ftp_listen = "off"
dhcp_listen = "127.0.0.1:$SERVER_PORT"
server_address = "127.0.0.1"
admin_token = "bench-admin-token-0123456789"

[[subnet]]
network = "127.0.0.0/8"
mode = "allocate"
pools = ["${POOL// /}"]
lease_time = 3600
TOML
    RUST_LOG=warn taskset -c 0 "$BIN" --data-dir "$WORK/data" --config "$WORK/phoneprov.toml" serve \
        2> "$WORK/phoneprov.log" &
    SERVER=$!
    for _ in $(seq 50); do grep -q "DHCP" "$WORK/phoneprov.log" 2>/dev/null && break; sleep 0.1; done
    sleep 1
}

stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }

# run NAME RATE: one perfdhcp run; prints "NAME RATE exchanges/s drops%".
run() {
    local out
    out=$(taskset -c 1 perfdhcp -4 -l 127.0.0.1 -L "$CLIENT_PORT" -N "$SERVER_PORT" -R 10000000 \
        -r "$2" -p "$SECONDS_EACH" -o 82,1300 127.0.0.1 2>&1 || true)
    local rate sent received
    rate=$(awk '/4-way exchanges\/second/ {print $2}' <<< "$out")
    # Drops over the whole exchange: DISCOVERs sent against ACKs received.
    sent=$(awk '/^sent packets:/ {print $3; exit}' <<< "$out")
    received=$(awk '/^received packets:/ {v = $3} END {print v}' <<< "$out")
    printf '%-10s %6s/s offered  %9.0f exchanges/s  %6.2f %% lost\n' "$1" "$2" "${rate:-0}" \
        "$(bc -l <<< "if (${sent:-0} > 0) 100 * (${sent:-0} - ${received:-0}) / ${sent:-1} else 100")"
}

SERVER_PORT=$(free_udp_port)
CLIENT_PORT=$(free_udp_port)
echo "DHCP relayed DORA, ${SECONDS_EACH} s per run, fresh server per run"
for rate in "${RATES[@]}"; do
    start_phoneprov; run phoneprov "$rate"; stop_server
    leases=$("$BIN" --data-dir "$WORK/data" leases | wc -l)
    echo "           (phoneprov stored $leases leases)"
    start_kea; run kea "$rate"; stop_server
    echo "           (kea stored $(($(wc -l < "$WORK/leases.csv") - 1)) lease lines)"
done
