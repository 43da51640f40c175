# Start and stop a throw-away PostgreSQL cluster on a free 127.0.0.1 port (sourced by scripts/test).
# Sets POSTGRES_THROWAWAY_URL. As root, the cluster runs as the `postgres` user.

postgres_throwaway_start() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
        echo "PostgreSQL server binaries not found: apt-get install postgresql (or run .ci/run)" >&2
        return 1
    fi
    POSTGRES_THROWAWAY_DIR=$(mktemp -d /tmp/phoneprov-pg.XXXXXX)
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    local run=()
    if [[ "$(id -u)" == 0 ]]; then
        chown postgres: "$POSTGRES_THROWAWAY_DIR"
        run=(runuser -u postgres --)
    fi
    POSTGRES_THROWAWAY_CTL=("${run[@]}" "$bin/pg_ctl" -D "$POSTGRES_THROWAWAY_DIR/data")
    "${run[@]}" "$bin/initdb" -D "$POSTGRES_THROWAWAY_DIR/data" -A trust -U postgres \
        --no-sync >"$POSTGRES_THROWAWAY_DIR/initdb.log" 2>&1 \
        || { cat "$POSTGRES_THROWAWAY_DIR/initdb.log" >&2; return 1; }
    "${POSTGRES_THROWAWAY_CTL[@]}" -w -l "$POSTGRES_THROWAWAY_DIR/server.log" \
        -o "-p $port -k $POSTGRES_THROWAWAY_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" \
        start >/dev/null \
        || { cat "$POSTGRES_THROWAWAY_DIR/server.log" >&2; return 1; }
    POSTGRES_THROWAWAY_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "throw-away PostgreSQL on 127.0.0.1:$port" >&2
}

postgres_throwaway_stop() {
    if [[ -n "${POSTGRES_THROWAWAY_DIR:-}" ]]; then
        "${POSTGRES_THROWAWAY_CTL[@]}" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$POSTGRES_THROWAWAY_DIR"
    fi
}
