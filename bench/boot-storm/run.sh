#!/usr/bin/env bash
# Boot storm: PHONES phones (a third each Polycom VVX 400, Aastra 6757i and Yealink T46S, one
# extension each) boot at once against one phoneprov on SQLite (the default store): relayed DHCP DORA in allocate mode,
# then each vendor's file sequence over HTTP (one Polycom phone in 10 over FTP), with uploads.
# The simulator (bench/boot-storm/main.rs) prints phones per second, p50/p99 from DISCOVER to the
# last file, the errors, and the server's CPU time and peak memory.
# With STORE_PHONES larger than PHONES, the store holds STORE_PHONES phones and the first PHONES
# boot; the script also prints the server's startup time (start to the first answer on /healthz)
# and its resident memory once started.
# With PROFILE=FILE set, the server is recorded by `perf record -g` during the storm.
# Usage: bench/boot-storm/run.sh [PHONES] [CONCURRENCY] [STORE_PHONES]
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
PHONES=${1:-10000}
CONCURRENCY=${2:-1000}
STORE_PHONES=${3:-$PHONES}
cargo build --release -q --bin phoneprov --example boot-storm
BIN=$PWD/target/release/phoneprov
WORK=$(mktemp -d /tmp/phoneprov-bench-storm.XXXXXX)
cleanup() {
    [[ -n "${SERVER:-}" ]] && kill "$SERVER" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# The phones, by index modulo 3: Polycom (0004f2 + index), Aastra (00085d + index), Yealink
# (001565 + index).
python3 - "$STORE_PHONES" > "$WORK/phones.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("extension,display_name,password,mac,model")
for i in range(n):
    mac, model = [(f"0004f2{i:06x}", "VVX_400"), (f"00085d{i:06x}", "6757i"), (f"001565{i:06x}", "T46S")][i % 3]
    print(f"{100000 + i},User {i},secret-{i:06},{mac},{model}")
PY
"$BIN" --data-dir "$WORK/data" import "$WORK/phones.csv" > /dev/null
# The stock Polycom files the master file lists besides phoneprov's own (20 KB each here).
mkdir -p "$WORK/firmware"
for name in phone1.cfg sip.cfg; do
    head -c 20000 /dev/zero | tr '\0' ' ' > "$WORK/firmware/$name"
done

HTTP_PORT=$(free_port)
FTP_PORT=$(free_port)
DHCP_PORT=$(python3 -c 'import socket; s=socket.socket(type=socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$WORK/phoneprov.toml" <<CONF
dhcp_listen = "127.0.0.1:$DHCP_PORT"
server_address = "127.0.0.1"

[[subnet]]
network = "127.0.0.0/8"
mode = "allocate"
pools = ["127.2.0.0-127.2.127.255"]
router = "127.0.0.1"
lease_time = 3600
CONF
# The phones' network is allowed (as an admin allows the voice VLAN): all the simulated phones
# share one address, which the enumeration defense would otherwise take for a scanner.
STARTED=$(date +%s.%N)
RUST_LOG=warn "$BIN" --data-dir "$WORK/data" serve --config "$WORK/phoneprov.toml" \
    --http-listen "127.0.0.1:$HTTP_PORT" --ftp-listen "127.0.0.1:$FTP_PORT" \
    --firmware-dir "$WORK/firmware" --allow-network 127.0.0.0/8 --admin-token bench-admin-token-0123456789 2> "$WORK/phoneprov.log" &
SERVER=$!
for _ in $(seq 1500); do
    curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" > /dev/null && break
    sleep 0.02
done
READY=$(date +%s.%N)
echo "store             $STORE_PHONES phones (SQLite)"
echo "startup           $(echo "$READY - $STARTED" | bc | xargs printf '%.2f') s (start to the first answer)"
# Settled: the first reload's check-sync fingerprints are taken in the background after start.
sleep 3
echo "RSS idle          $(awk '/^VmRSS:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER/status") (3 s after the first answer; peak so far $(awk '/^VmHWM:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER/status"))"

if [[ -n "${PROFILE:-}" ]]; then
    perf record -q -g -p "$SERVER" -o "$PROFILE" 2> /dev/null &
    PERF=$!
    sleep 0.5
fi
DHCP_ADDR="127.0.0.1:$DHCP_PORT" HTTP_ADDR="127.0.0.1:$HTTP_PORT" FTP_ADDR="127.0.0.1:$FTP_PORT" \
    PHONES="$PHONES" CONCURRENCY="$CONCURRENCY" SERVER_PID="$SERVER" \
    target/release/examples/boot-storm || { tail -n 20 "$WORK/phoneprov.log" >&2; exit 1; }
if [[ -n "${PERF:-}" ]]; then
    kill -INT "$PERF"
    wait "$PERF" || true
fi
