"""Transfers per second through the service layer, against raw SQL doing the same ledger writes.

    .venv/bin/python bench/posting.py                       # SQLite temp file
    .venv/bin/python bench/posting.py --url postgresql+psycopg://user@host:port/db   # a new database there

Set-up: a bank with one teller and N accounts funded with 1,000,000.00 each. Then, with random account pairs
from a fixed seed, each measurement runs until `--count` transfers or `--seconds` have passed:

- service: `bank.run(payments.transfer, teller, TransferCreate(...), key)`, one transfer per transaction;
- raw: the same ledger writes as plain SQL on a DB-API connection of the same engine: BEGIN (IMMEDIATE on
  SQLite), two conditional UPDATEs of ledger_accounts (ascending id), INSERT journal_entries, INSERT the two
  journal_lines, COMMIT;
- raw+: raw plus the bookkeeping the service also writes (business date read, idempotency key, outbox event,
  audit record and chain head), to tell database work from Python work.

Each with 1 worker and with 4 concurrent worker threads; the ratio service/raw is printed for both.
"""

from __future__ import annotations

import sys

# bench/ holds http.py: first on sys.path it would shadow the standard library's http package.
sys.path.append(sys.path.pop(0))

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine

from common import BenchBank, bench_database, bench_settings, machine, prepare, print_table
from corebank import ledger, payments
from corebank.payments import TransferCreate

Job = tuple[str, str, int, str]  # payer number, payee number, amount in fen, idempotency key


def jobs(numbers: list[str], n: int, tag: str, seed: int) -> list[Job]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b = rng.sample(numbers, 2)
        out.append((a, b, rng.randint(1, 999), f"{tag}-{i}"))
    return out


def run_workers(
    workers: int, work: list[Job], seconds: float, fn: Callable[[list[Job], float], int]
) -> tuple[int, float, float]:
    """Split `work` over `workers` threads that start together; return (transfers done, wall seconds, CPU
    seconds of this process, all threads: robust to other load on the machine, blind to a server's CPU)."""
    slices = [work[i::workers] for i in range(workers)]
    done = [0] * workers
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers + 1)

    def target(k: int) -> None:
        barrier.wait()
        try:
            done[k] = fn(slices[k], deadline[0])
        except BaseException as exc:
            errors.append(exc)

    deadline = [0.0]
    threads = [threading.Thread(target=target, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    start, cpu = time.perf_counter(), time.process_time()
    deadline[0] = start + seconds
    barrier.wait()
    for t in threads:
        t.join()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if errors:
        raise errors[0]
    return sum(done), elapsed, cpu


# ---------------------------------------------------------------- the service layer


def service_fn(b: BenchBank) -> Callable[[list[Job], float], int]:
    def fn(work: list[Job], deadline: float) -> int:
        n = 0
        for payer, payee, fen, key in work:
            cmd = TransferCreate(from_account=payer, to_account=payee, amount=f"{fen // 100}.{fen % 100:02d}")
            b.bank.run(payments.transfer, b.teller, cmd, key)
            n += 1
            if time.perf_counter() > deadline:
                break
        return n

    return fn


# ---------------------------------------------------------------- raw SQL, same ledger writes

MOVE_DOWN = (
    "UPDATE ledger_accounts SET balance = balance - ?, last_movement_on = ? "
    "WHERE id = ? AND currency = 'CNY' AND allow_decrease AND balance - ? >= floor + held RETURNING balance"
)
MOVE_UP = (
    "UPDATE ledger_accounts SET balance = balance + ?, last_movement_on = ? "
    "WHERE id = ? AND currency = 'CNY' AND allow_increase AND (ceiling IS NULL OR balance + ? <= ceiling) "
    "RETURNING balance"
)
ENTRY = (
    "INSERT INTO journal_entries (booking_date, value_date, kind, memo, reference, reverses_id, created_by, "
    "channel, created_at) VALUES (?, ?, 'transfer', '', NULL, NULL, ?, 'counter', ?) RETURNING id"
)
LINES = (
    "INSERT INTO journal_lines (entry_id, line_no, gl_code, branch_code, account_id, currency, amount, "
    "balance_after, booking_date, value_date, narrative) VALUES "
    "(?, 1, '2011', '0001', ?, 'CNY', ?, ?, ?, ?, ?), (?, 2, '2011', '0001', ?, 'CNY', ?, ?, ?, ?, ?)"
)
# The bookkeeping the service adds (raw+).
BUSINESS_DATE = "SELECT business_date FROM bank_state WHERE id = 1"
IDEMPOTENCY = (
    "INSERT INTO idempotency_keys (scope, key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)"
)
OUTBOX = (
    "INSERT INTO outbox_events (name, aggregate, aggregate_id, payload, business_date, created_at) "
    "VALUES ('TransferPosted', 'entry', ?, ?, ?, ?)"
)
AUDIT_HEAD = "SELECT seq, hash FROM audit_head WHERE id = 1"
AUDIT = (
    "INSERT INTO audit_log (seq, at, actor, channel, branch_code, action, object_type, object_id, detail, "
    "prev_hash, hash) VALUES (?, ?, ?, 'counter', '0001', 'transfer.post', 'entry', ?, ?, ?, ?)"
)
AUDIT_MOVE = "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1"


def raw_fn(b: BenchBank, engine: Engine, full: bool) -> Callable[[list[Job], float], int]:
    sqlite = engine.dialect.name == "sqlite"

    def sql(s: str) -> str:
        return s if sqlite else s.replace("?", "%s")

    def fn(work: list[Job], deadline: float) -> int:
        conn = engine.raw_connection()
        pg_head = sql(AUDIT_HEAD) + ("" if sqlite else " FOR UPDATE")
        try:
            cur = conn.cursor()
            n = 0
            for payer, payee, fen, key in work:
                bd, now = b.business_date, datetime.now(UTC)
                bd_p, now_p = (bd.isoformat(), now.strftime("%Y-%m-%d %H:%M:%S.%f")) if sqlite else (bd, now)
                if sqlite:
                    cur.execute("BEGIN IMMEDIATE")
                if full:
                    cur.execute(sql(BUSINESS_DATE))
                    cur.fetchone()
                pid, qid = b.ids[payer], b.ids[payee]
                bal = {}
                for aid in sorted((pid, qid)):
                    if aid == pid:
                        cur.execute(sql(MOVE_DOWN), (fen, bd_p, aid, fen))
                    else:
                        cur.execute(sql(MOVE_UP), (fen, bd_p, aid, fen))
                    row = cur.fetchone()
                    if row is None:
                        raise RuntimeError(f"posting refused for account {aid}")
                    bal[aid] = row[0]
                cur.execute(sql(ENTRY), (bd_p, bd_p, "bench01", now_p))
                eid = cur.fetchone()[0]
                cur.execute(
                    sql(LINES),
                    (eid, pid, fen, bal[pid], bd_p, bd_p, f"to {payee}",
                     eid, qid, -fen, bal[qid], bd_p, bd_p, f"from {payer}"),
                )  # fmt: skip
                if full:
                    body = json.dumps({"from": payer, "to": payee, "amount": fen, "entry": eid})
                    digest = hashlib.sha256(body.encode()).hexdigest()
                    cur.execute(sql(IDEMPOTENCY), ("transfer:bench01", key, digest, body, now_p))
                    cur.execute(sql(OUTBOX), (str(eid), body, bd_p, now_p))
                    cur.execute(pg_head)
                    seq, prev = cur.fetchone()
                    h = hashlib.sha256(f"{prev}|{seq + 1}|{body}".encode()).hexdigest()
                    cur.execute(sql(AUDIT), (seq + 1, now_p, "bench01", str(eid), body, prev, h))
                    cur.execute(sql(AUDIT_MOVE), (seq + 1, h))
                if sqlite:
                    cur.execute("COMMIT")
                else:
                    conn.commit()
                n += 1
                if time.perf_counter() > deadline:
                    break
            return n
        except BaseException:
            if sqlite:
                conn.cursor().execute("ROLLBACK")
            else:
                conn.rollback()
            raise
        finally:
            conn.close()

    return fn


# ---------------------------------------------------------------- main


def _rate(x: tuple[int, float, float]) -> float:
    return x[0] / x[1]


def _cpu(x: tuple[int, float, float]) -> float:
    return 1000 * x[2] / x[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="PostgreSQL server URL (a new database is created there); default SQLite")
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--count", type=int, default=2000, help="transfers per measurement at most")
    ap.add_argument("--seconds", type=float, default=8.0, help="seconds per measurement at most")
    ap.add_argument("--workers", default="1,4", help="comma-separated worker counts")
    ap.add_argument("--profile", type=int, default=0, help="cProfile the 1-worker service run, print top N")
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",")]

    with bench_database(args.url) as (url, var):
        t0 = time.perf_counter()
        b = prepare(bench_settings(url, var), args.accounts)
        engine = b.bank.engine
        print(f"CoreBank posting benchmark — {engine.dialect.name}, {args.accounts} funded accounts "
              f"(set-up {time.perf_counter() - t0:.1f} s)")  # fmt: skip
        print(machine())
        run_workers(1, jobs(b.numbers, 50, "warm-s", 1), 10, service_fn(b))
        run_workers(1, jobs(b.numbers, 50, "warm-r", 2), 10, raw_fn(b, engine, False))
        results: dict[tuple[str, int], tuple[int, float, float]] = {}
        for w in counts:
            for mode in ("service", "raw", "raw+"):
                work = jobs(b.numbers, args.count, f"{mode}-{w}", 100 + w)
                fn = service_fn(b) if mode == "service" else raw_fn(b, engine, mode == "raw+")
                if mode == "service" and w == 1 and args.profile:
                    prof = cProfile.Profile()  # profiles this thread only: run the worker here
                    start, cpu = time.perf_counter(), time.process_time()
                    prof.enable()
                    n = fn(work, start + args.seconds)
                    prof.disable()
                    results[(mode, w)] = (n, time.perf_counter() - start, time.process_time() - cpu)
                    pstats.Stats(prof).sort_stats(os.environ.get("BENCH_SORT", "tottime")).print_stats(
                        args.profile
                    )
                else:
                    results[(mode, w)] = run_workers(w, work, args.seconds, fn)
        rows = []
        for (mode, w), (n, secs, cpu) in results.items():
            per_worker, cpu_ms = 1000 * secs * w / n, 1000 * cpu / n
            rows.append(
                [mode, str(w), str(n), f"{secs:.2f}", f"{n / secs:.0f}", f"{per_worker:.2f}", f"{cpu_ms:.2f}"]
            )
        print()
        headers = [
            "path",
            "workers",
            "transfers",
            "seconds",
            "ops/s",
            "ms/transfer/worker",
            "CPU ms/transfer",
        ]
        print_table(headers, rows)
        print()
        for w in counts:
            s, r, rp = results[("service", w)], results[("raw", w)], results[("raw+", w)]
            print(
                f"{w} worker(s): service/raw = {_rate(s) / _rate(r):.1%}   service/raw+ = {_rate(s) / _rate(rp):.1%}"
                f"   (this process's CPU per transfer: service {_cpu(s):.2f} ms, raw {_cpu(r):.2f} ms)"
            )
        tb = b.bank.run(ledger.trial_balance, readonly=True)
        print(f"trial balance after the run: {'balanced' if tb.balanced else 'NOT BALANCED'}")
        b.bank.dispose()


if __name__ == "__main__":
    main()
