#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# Creates a fresh cluster in a temp dir (never touches a PostgreSQL already
# running on the machine), listening only on 127.0.0.1 on a free port, with
# trust auth and durability switched off, creates the database
# `corebank_test`, exports
#
#   COREBANK_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/corebank_test
#   COREBANK_TEST_PG_BIN=/usr/lib/postgresql/NN/bin   (pg_dump, psql, ...)
#
# runs CMD, then always stops the cluster and removes the temp dir, and exits
# with CMD's exit code.
#
# Environment:
#   COREBANK_PG_BIN=DIR   use the server binaries in DIR (default: newest
#                         /usr/lib/postgresql/*/bin, else initdb on PATH;
#                         installed with apt-get if none is found)
#   COREBANK_PG_KEEP=1    keep the temp dir (data + server.log) for debugging
set -euo pipefail

DB_NAME=corebank_test
DB_USER=postgres

log() { printf 'with-postgres: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

now() {
    if [[ -n ${EPOCHREALTIME:-} ]]; then
        printf '%s' "${EPOCHREALTIME/,/.}"
    else
        date +%s.%N
    fi
}
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2fs", b - a }'; }

# --- locate (or install) the server binaries --------------------------------
has_server_bins() { [[ -x $1/initdb && -x $1/pg_ctl && -x $1/postgres ]]; }

find_pg_bin() {
    if [[ -n ${COREBANK_PG_BIN:-} ]]; then
        has_server_bins "$COREBANK_PG_BIN" && { printf '%s\n' "$COREBANK_PG_BIN"; return 0; }
        die "COREBANK_PG_BIN=$COREBANK_PG_BIN has no initdb/pg_ctl/postgres"
    fi
    local d p
    # Newest major version first.
    while IFS= read -r d; do
        if has_server_bins "$d"; then printf '%s\n' "$d"; return 0; fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV)
    # initdb on PATH (possibly a symlink into the real bin dir).
    if p=$(command -v initdb 2>/dev/null); then
        d=$(dirname "$(readlink -f "$p")")
        if has_server_bins "$d"; then printf '%s\n' "$d"; return 0; fi
    fi
    return 1
}

install_pg() {
    local sudo=()
    if [[ $EUID -ne 0 ]]; then sudo=(sudo); fi
    log "PostgreSQL server binaries not found; installing with apt-get"
    "${sudo[@]}" apt-get update -qq </dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq postgresql </dev/null
}

if ! PG_BIN=$(find_pg_bin); then
    install_pg
    PG_BIN=$(find_pg_bin) || die "no initdb/pg_ctl found even after installing postgresql"
fi
# "postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" -> "15.20"
PG_VERSION=$("$PG_BIN/postgres" --version | awk '{ print $3 }')

# --- run server commands as a non-root user ---------------------------------
# initdb and postgres refuse to run as root: as root use the `postgres` OS user.
if [[ $EUID -eq 0 ]]; then
    id -u postgres >/dev/null 2>&1 \
        || die "running as root but there is no 'postgres' OS user to own the cluster"
fi

as_pg() {
    if [[ $EUID -ne 0 ]]; then
        (cd "$PG_TMP" && "$@")
    elif command -v runuser >/dev/null 2>&1; then
        (cd "$PG_TMP" && runuser -u postgres -- "$@")
    else
        (cd "$PG_TMP" && su -s /bin/bash postgres -c "$(printf '%q ' "$@")")
    fi
}

# Python used to pick a free port.
PY="$REPO_ROOT/.venv/bin/python"
[[ -x $PY ]] || PY=$(command -v python3) || die "python3 not found"

pick_port() {
    "$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# --- cluster lifecycle ------------------------------------------------------
PG_TMP=
PG_DATA=

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    if [[ -n $PG_DATA && -f $PG_DATA/postmaster.pid ]]; then
        local t0 pid
        t0=$(now)
        if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1; then
            as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 10 stop >/dev/null 2>&1
        fi
        if [[ -f $PG_DATA/postmaster.pid ]]; then
            pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null)
            [[ $pid =~ ^[0-9]+$ ]] && kill -KILL "$pid" 2>/dev/null
        fi
        log "stopped PostgreSQL $PG_VERSION on 127.0.0.1:${PG_PORT:-?} in $(elapsed "$t0")"
    fi
    if [[ -n $PG_TMP && -d $PG_TMP ]]; then
        if [[ ${COREBANK_PG_KEEP:-0} == 1 ]]; then
            log "kept $PG_TMP (COREBANK_PG_KEEP=1)"
        else
            rm -rf "$PG_TMP"
        fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

T_START=$(now)

if [[ $EUID -eq 0 ]]; then
    # /tmp is world-traversable, so the postgres user can reach the dir.
    PG_TMP=$(mktemp -d /tmp/corebank-pg.XXXXXX)
    chown postgres: "$PG_TMP"
else
    PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/corebank-pg.XXXXXX")
fi
# Unix socket paths are limited to ~107 bytes.
if (( ${#PG_TMP} > 80 )); then
    rmdir "$PG_TMP"
    PG_TMP=$(mktemp -d /tmp/corebank-pg.XXXXXX)
fi
chmod 700 "$PG_TMP"
PG_DATA=$PG_TMP/data
PG_LOG=$PG_TMP/server.log

locale_args=(--no-locale)
if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
    locale_args=(--locale=C.UTF-8)
fi

if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$DB_USER" -A trust -E UTF8 \
        "${locale_args[@]}" --no-sync >"$PG_TMP/initdb.log" 2>&1; then
    cat "$PG_TMP/initdb.log" >&2
    die "initdb failed"
fi

# Throwaway test cluster: no durability, loopback TCP only, socket in PG_TMP.
cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- with-postgres.sh (throwaway test cluster) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

# The port is picked, then bound by the server: retry if something grabbed it.
PG_PORT=
for attempt in 1 2 3 4 5; do
    port=$(pick_port)
    if as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
            -o "-p $port" start >/dev/null 2>&1; then
        PG_PORT=$port
        break
    fi
    log "server did not start on port $port (attempt $attempt)"
    [[ -f $PG_DATA/postmaster.pid ]] && break   # running but not ready: give up
done
if [[ -z $PG_PORT ]]; then
    tail -n 30 "$PG_LOG" >&2 2>/dev/null
    die "could not start PostgreSQL $PG_VERSION (log above)"
fi

"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" "$DB_NAME" </dev/null \
    || die "createdb $DB_NAME failed"

log "started PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT ($PG_TMP) in $(elapsed "$T_START")"

export COREBANK_TEST_DATABASE_URL="postgresql+psycopg://$DB_USER@127.0.0.1:$PG_PORT/$DB_NAME"
export COREBANK_TEST_PG_BIN="$PG_BIN"

rc=0
"$@" || rc=$?
exit "$rc"
