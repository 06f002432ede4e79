#!/usr/bin/env bash
# Run pytest against a throwaway PostgreSQL cluster.
#
#   scripts/pg-test.sh [pytest args...]
#
# Starts a private cluster (see scripts/with-postgres.sh: free port on
# 127.0.0.1, database corebank_test, never the machine's own PostgreSQL),
# exports COREBANK_TEST_DATABASE_URL and COREBANK_TEST_PG_BIN, runs
# `.venv/bin/python -m pytest "$@"` from the repo root, always stops and
# removes the cluster, and exits with pytest's exit code.
# COREBANK_PG_KEEP=1 keeps the cluster's temp dir for debugging.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"

PY="$REPO_ROOT/.venv/bin/python"
if [[ ! -x $PY ]]; then
    echo "pg-test: $PY not found (run make first)" >&2
    exit 1
fi

exec bash "$REPO_ROOT/scripts/with-postgres.sh" "$PY" -m pytest "$@"
