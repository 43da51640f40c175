#!/usr/bin/env bash
# FTP boot-storm benchmark: 1,000 Polycom boots (connect, login, TYPE I, 3 x PASV + RETR of the
# master, extension and site file, QUIT) at concurrency 50, against phoneprov and against vsftpd
# serving the same bytes from disk, in the same run, with the same load generator
# (bench/ftp/boots.rs, suppaftp). Needs vsftpd (Debian) and root (a local login for vsftpd).
# Usage: bench/ftp/run.sh [BOOTS] [CONCURRENCY] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
BOOTS=${1:-1000}
CONCURRENCY=${2:-50}
ROUNDS=${3:-3}
PHONES=1000
command -v vsftpd >/dev/null || { echo "needs vsftpd: apt-get install vsftpd" >&2; exit 1; }
cargo build --release -q
cargo build --release -q --example ftp-boots
LOAD=$PWD/target/release/examples/ftp-boots
BIN=$PWD/target/release/phoneprov
WORK=$(mktemp -d /tmp/phoneprov-bench-ftp.XXXXXX)
chmod 755 "$WORK"
BENCH_USER=ppbench
BENCH_PASS=ppbench-$RANDOM$RANDOM
cleanup() {
    [[ -n "${SERVER:-}" ]] && kill "$SERVER" 2>/dev/null || true
    [[ -n "${VSFTPD:-}" ]] && kill "$VSFTPD" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

make_deployment "$BIN" "$WORK/data" "$PHONES"
python3 - "$PHONES" > "$WORK/files.txt" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print(f"0004f2{i:06x}.cfg")
    print(f"{100000 + i}.cfg")
    print("altigen.cfg")
PY

HTTP_PORT=$(free_port)
FTP_PORT=$(free_port)
# Every simulated phone connects from 127.0.0.1: that network is allowed (as an admin allows the
# phones' VLAN), else the per-address session limit would refuse all but 32 at once.
RUST_LOG=warn "$BIN" --data-dir "$WORK/data" --server-address 10.0.0.1 serve \
    --http-listen "127.0.0.1:$HTTP_PORT" --ftp-listen "127.0.0.1:$FTP_PORT" \
    --ftp-passive-ports 40000-49999 --allow-network 127.0.0.0/8 --admin-token bench-admin-token-0123456789 2> "$WORK/phoneprov.log" &
SERVER=$!
wait_for_http "$HTTP_PORT"

# The same bytes on disk for vsftpd, in the home of a local login.
mkdir -p "$WORK/www"
sort -u "$WORK/files.txt" | python3 -c '
import http.client, sys
port, root = sys.argv[1], sys.argv[2]
conn = http.client.HTTPConnection("127.0.0.1", int(port))
for name in sys.stdin.read().split():
    conn.request("GET", "/" + name)
    open(f"{root}/{name}", "wb").write(conn.getresponse().read())
' "$HTTP_PORT" "$WORK/www"
chmod -R a+rX "$WORK/www"
id "$BENCH_USER" > /dev/null 2>&1 || useradd -M -s /bin/bash "$BENCH_USER"
usermod -d "$WORK/www" "$BENCH_USER"
# SHA-512 as in the reference figures (Debian now defaults to the far costlier yescrypt).
echo "$BENCH_USER:$BENCH_PASS" | chpasswd -c SHA512
mkdir -p /var/run/vsftpd/empty
VS_PORT=$(free_port)
cat > "$WORK/vsftpd.conf" <<CONF
listen=YES
listen_address=127.0.0.1
listen_port=$VS_PORT
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=NO
local_root=$WORK/www
chroot_local_user=YES
allow_writeable_chroot=YES
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=50000
pasv_max_port=59999
max_clients=500
max_per_ip=500
xferlog_enable=NO
pam_service_name=vsftpd
secure_chroot_dir=/var/run/vsftpd/empty
seccomp_sandbox=NO
CONF
vsftpd "$WORK/vsftpd.conf" &
VSFTPD=$!
sleep 0.5

run() { # name port user password
    local out
    out=$(FTP_ADDR="127.0.0.1:$2" FTP_USER="$3" FTP_PASS="$4" FTP_FILES="$WORK/files.txt" \
        BOOTS="$BOOTS" CONCURRENCY="$CONCURRENCY" "$LOAD")
    echo "$out" | head -1 | awk '{print $1}' >> "$WORK/$1.rates"
    printf '%-10s %s\n' "$1" "$(echo "$out" | tr '\n' ' ')"
}
echo "FTP boot storm: $BOOTS boots of $PHONES phones at concurrency $CONCURRENCY (login, TYPE I, 3 x PASV+RETR, QUIT)"
for round in $(seq "$ROUNDS"); do
    echo "round $round"
    run phoneprov "$FTP_PORT" PlcmSpIp PlcmSpIp
    sleep 2
    run vsftpd "$VS_PORT" "$BENCH_USER" "$BENCH_PASS"
    sleep 2
done
pp=$(median "$WORK/phoneprov.rates")
vs=$(median "$WORK/vsftpd.rates")
printf 'median     phoneprov %.0f boots/s, vsftpd %.0f boots/s, ratio %.2f\n' "$pp" "$vs" "$(echo "$pp / $vs" | bc -l)"
