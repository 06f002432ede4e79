#!/usr/bin/env bash
# Two CoreBanks and the clearing house simulator on one machine (walkthrough: docs/two-banks.md).
#
#   scripts/two-banks.sh          start (or restart) the three processes; the first start also sets up
#                                 both banks, their staff, one funded account in each, and the participants
#   scripts/two-banks.sh stop     stop them
#   scripts/two-banks.sh status   show which are running
#   scripts/two-banks.sh reset    stop them and delete var/two-banks
#   scripts/two-banks.sh cli a|b ARGS...   run `corebank ARGS...` as bank A or B (e.g. reconcile run)
#
# Everything lives under var/two-banks/: clearing.db, a/ and b/ (each bank's var dir and database), *.log,
# *.pid and accounts.env (the demo accounts). The banks keep HVPS open and the cut-off at 23:59 so the demo
# works at any hour of a working day; at weekends HVPS is shut and payments go BEPS (up to 50,000.00).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CB=${COREBANK:-$ROOT/.venv/bin/corebank}
VAR=$ROOT/var/two-banks
CLEARING_PORT=${CLEARING_PORT:-8600}
A_PORT=${A_PORT:-8000}
B_PORT=${B_PORT:-8001}
A_CODE=313100000021
B_CODE=104100000045
PASSWORD=Two-banks-2026

bank_env() {  # bank_env a|b: the environment of that bank's processes and commands
    local name=$1 code port
    if [[ $name == a ]]; then code=$A_CODE port=$A_PORT; else code=$B_CODE port=$B_PORT; fi
    echo "COREBANK_VAR_DIR=$VAR/$name COREBANK_BANK_CODE=$code COREBANK_BANK_NAME=Bank-${name^^}" \
        "COREBANK_PORT=$port COREBANK_CLEARING_URL=http://127.0.0.1:$CLEARING_PORT" \
        "COREBANK_CLEARING_TOKEN=bank-$name-clearing-token COREBANK_HVPS_OPEN=00:00" \
        "COREBANK_HVPS_CLOSE=23:59 COREBANK_INTERBANK_CUTOFF=23:59 COREBANK_CLEARING_SEND_INTERVAL_SECONDS=1"
}

in_bank() {  # in_bank a|b command...: run a command with that bank's environment
    local name=$1
    shift
    env -u COREBANK_DATABASE_URL $(bank_env "$name") "$@"
}

running() { [[ -f $VAR/$1.pid ]] && kill -0 "$(cat "$VAR/$1.pid")" 2>/dev/null; }

stop() {
    for p in a b clearing; do
        if running "$p"; then
            kill "$(cat "$VAR/$p.pid")"
            for _ in $(seq 50); do running "$p" || break; sleep 0.2; done
            running "$p" && kill -9 "$(cat "$VAR/$p.pid")"
            echo "stopped $p"
        fi
        rm -f "$VAR/$p.pid"
    done
}

wait_up() {  # wait_up NAME URL
    for _ in $(seq 150); do
        curl -fs "$2/health" >/dev/null 2>&1 && return 0
        running "$1" || { echo "$1 did not start; see $VAR/$1.log" >&2; tail -20 "$VAR/$1.log" >&2; exit 1; }
        sleep 0.2
    done
    echo "$1 did not answer on $2 within 30 s; see $VAR/$1.log" >&2
    exit 1
}

token() {  # token PORT USER: a bearer token
    curl -fs "http://127.0.0.1:$1/api/v1/auth/token" -d "username=$2" -d "password=$PASSWORD" | jq -r .access_token
}

seed_account() {  # seed_account a|b PORT AMOUNT NAME: a customer with a funded account; prints its number
    local name=$1 port=$2 amount=$3 holder=$4 tok h customer n
    tok=$(token "$port" "teller_$name")
    h=(-H "Authorization: Bearer $tok" -H "Content-Type: application/json")
    curl -fs -X POST "http://127.0.0.1:$port/api/v1/tills" "${h[@]}" -d '{"opening_cash":"100000.00"}' >/dev/null
    n=$(( $(date +%s) % 900 ))
    [[ $name == b ]] && n=$(( n + 50 ))
    customer=$(curl -fs -X POST "http://127.0.0.1:$port/api/v1/customers" "${h[@]}" -d "{\"type\":\"individual\",
        \"name\":\"$holder\",\"id_type\":\"resident_id\",\"id_number\":\"$(resident_id "$n")\",
        \"phone\":\"137$(printf %08d "$n")\"}" | jq -r .number)
    curl -fs -X POST "http://127.0.0.1:$port/api/v1/accounts" "${h[@]}" -H "Idempotency-Key: seed-$name" \
        -d "{\"customer_number\":\"$customer\",\"product_code\":\"DEMAND_CNY\",\"opening_deposit\":\"$amount\"}" \
        | jq -r .number
}

resident_id() {  # a valid synthetic resident ID (GB 11643 check digit) for number $1
    "$ROOT/.venv/bin/python" -c "import sys, datetime; from corebank.customers import make_resident_id as m
print(m('310100', datetime.date(1980 + int(sys.argv[1]) % 20, 1 + int(sys.argv[1]) % 12, 1 + int(sys.argv[1]) % 28), int(sys.argv[1]) % 1000))" "$1"
}

start() {
    command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)" >&2; exit 1; }
    stop >/dev/null
    mkdir -p "$VAR/a" "$VAR/b"
    first=0
    for name in a b; do
        if [[ ! -f $VAR/$name/corebank.db ]]; then
            first=1
            in_bank "$name" "$CB" init >"$VAR/$name-init.log"
            for user in "teller_$name teller" "accountant_$name accountant"; do
                set -- $user
                echo "$PASSWORD" | in_bank "$name" "$CB" user add "$1" --role "$2" --password-stdin >/dev/null
            done
        fi
    done
    if [[ ! -f $VAR/clearing.db ]]; then
        for name in a b; do
            code=$([[ $name == a ]] && echo $A_CODE || echo $B_CODE)
            port=$([[ $name == a ]] && echo $A_PORT || echo $B_PORT)
            "$CB" clearing participant add "$code" --name "Bank ${name^^}" --url "http://127.0.0.1:$port" \
                --token "bank-$name-clearing-token" --db "$VAR/clearing.db" >/dev/null
        done
    fi
    nohup "$CB" clearing serve --port "$CLEARING_PORT" --always-open --db "$VAR/clearing.db" \
        --beps-interval 5 >"$VAR/clearing.log" 2>&1 &
    echo $! >"$VAR/clearing.pid"
    for name in a b; do
        nohup env -u COREBANK_DATABASE_URL $(bank_env "$name") "$CB" serve >"$VAR/$name.log" 2>&1 &
        echo $! >"$VAR/$name.pid"
    done
    wait_up clearing "http://127.0.0.1:$CLEARING_PORT"
    wait_up a "http://127.0.0.1:$A_PORT"
    wait_up b "http://127.0.0.1:$B_PORT"
    if [[ $first == 1 || ! -f $VAR/accounts.env ]]; then
        {
            echo "A_ACCOUNT=$(seed_account a "$A_PORT" 200000.00 "Zhang Wei")"
            echo "B_ACCOUNT=$(seed_account b "$B_PORT" 1000.00 "Li Na")"
        } >"$VAR/accounts.env"
    fi
    # shellcheck disable=SC1091
    source "$VAR/accounts.env"
    day=$(in_bank a "$CB" eod status --json 2>/dev/null | jq -r .state.business_date || true)
    cat <<EOF
Clearing house  http://127.0.0.1:$CLEARING_PORT  (db $VAR/clearing.db, BEPS netting every 5 s)
Bank A          http://127.0.0.1:$A_PORT  code $A_CODE  account $A_ACCOUNT (Zhang Wei)
Bank B          http://127.0.0.1:$B_PORT  code $B_CODE  account $B_ACCOUNT (Li Na)
Staff (both banks, password $PASSWORD): teller_a / accountant_a at A, teller_b / accountant_b at B.
Logs and pids in $VAR; stop with: scripts/two-banks.sh stop

Try it (docs/two-banks.md walks through the same):
  TA=\$(curl -s localhost:$A_PORT/api/v1/auth/token -d username=teller_a -d password=$PASSWORD | jq -r .access_token)
  curl -s -X POST localhost:$A_PORT/api/v1/payments/interbank -H "Authorization: Bearer \$TA" \\
    -H "Idempotency-Key: pay-\$RANDOM" -H "Content-Type: application/json" \\
    -d '{"from_account":"$A_ACCOUNT","creditor_bank_code":"$B_CODE","creditor_account":"$B_ACCOUNT","creditor_name":"Li Na","amount":"800.00"}' | jq
  curl -s localhost:$A_PORT/api/v1/payments/PAYMENT_ID -H "Authorization: Bearer \$TA" | jq .status   # settled within ~5 s
  TB=\$(curl -s localhost:$B_PORT/api/v1/auth/token -d username=teller_b -d password=$PASSWORD | jq -r .access_token)
  curl -s localhost:$B_PORT/api/v1/accounts/$B_ACCOUNT -H "Authorization: Bearer \$TB" | jq .balance
  scripts/two-banks.sh cli a reconcile run --date ${day:-BUSINESS_DATE} --as-user accountant_a
EOF
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) for p in clearing a b; do running "$p" && echo "$p running (pid $(cat "$VAR/$p.pid"))" || echo "$p stopped"; done ;;
    cli) [[ ${2:-} == [ab] ]] || { echo "usage: $0 cli a|b ARGS..." >&2; exit 2; }
        name=$2; shift 2; in_bank "$name" "$CB" "$@" ;;
    reset) stop; rm -rf "$VAR"; echo "removed $VAR" ;;
    *) echo "usage: $0 [start|stop|status|reset|cli a|b ARGS...]" >&2; exit 2 ;;
esac
