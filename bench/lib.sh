# Shared by the benchmark scripts (source it): a free loopback port, the benchmark deployment,
# waiting for phoneprov, and the median of a column of figures.

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# make_deployment BIN DATA_DIR PHONES: imports PHONES phones (a VVX 400 and one extension each,
# MACs 0004f2000000 up, extensions 100000 up) into a new store.
make_deployment() {
    local csv
    csv=$(mktemp /tmp/phoneprov-bench-phones.XXXXXX)
    python3 - "$3" > "$csv" <<'PY'
import sys
n = int(sys.argv[1])
print("extension,display_name,password,mac,model")
for i in range(n):
    print(f"{100000 + i},User {i},secret-{i:06},0004f2{i:06x},VVX_400")
PY
    "$1" --data-dir "$2" import "$csv" > /dev/null
    rm -f "$csv"
}

# wait_for_http PORT: until phoneprov answers /healthz (at most 5 s).
wait_for_http() {
    for _ in $(seq 50); do
        curl -sf "http://127.0.0.1:$1/healthz" > /dev/null && return
        sleep 0.1
    done
}

# median FILE: the median of the numbers in FILE, one a line.
median() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
