"""A 100,000-line pain.001 payroll file (代发工资), from upload to every internal credit posted, beside raw SQL.

    .venv/bin/python bench/bulk_payments.py                       # SQLite temp file, 100,000 lines
    .venv/bin/python bench/bulk_payments.py --lines 20000 --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

In a database of its own (a temp SQLite file, or a new database on the server of `--url`):

- load: a bank is initialized; the payer, a company's Type I account, is opened through the services and
  funded with the payroll's total; N payee accounts (one customer per 100) are bulk loaded with set-based
  INSERT ... SELECT (not the service path); the pain.001.001.09 file of N lines, one per payee, amounts
  3,000.00 to 29,999.99, is streamed to disk with `iso20022.build_pain001`;
- baseline: the same rows written raw in one transaction, timed with its commit: N line rows inserted
  (executemany), one journal entry with N credit lines and the payer's debit line (executemany), N payee
  balances raised and the payer's lowered (executemany UPDATE); then undone, untimed;
- upload: a child process builds the bank from the environment and runs `payments.bulk.upload` as a teller
  on the file (what POST /api/v1/payments/bulk does after spooling the body): timed from the call to its
  commit (every internal credit posted), and the process's peak RSS from wait4.

Printed: the figures, the ratio upload ÷ baseline, and checks (all lines credited, clearing suspense back to
zero, the trial balance balanced, the payees' total).
"""

from __future__ import annotations

import sys

# bench/ holds http.py: first on sys.path it would shadow the standard library's http package.
sys.path.append(sys.path.pop(0))

import argparse
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from common import BENCH_USER, START, bench_database, bench_settings, machine, print_table, server_env
from corebank import accounts, bootstrap, customers, iso20022, ledger
from corebank.config import Settings
from corebank.customers import make_resident_id
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import SYSTEM, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate

BRANCH = "0001"
PAYEES_PER_CUSTOMER = 100


def amount_of(i: int) -> int:
    """Line i's amount in fen: 3,000.00 to 29,999.99 yuan, spread."""
    return 300_000 + (i * 7919) % 2_700_000


def series(pg: bool, n: int) -> str:
    """A FROM item with one integer column `i` = 1..n."""
    if pg:
        return f"generate_series(1, {n}) AS s(i)"
    return f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s) AS s"


# ---------------------------------------------------------------- the bank, the payees and the file


def open_payer(bank: bootstrap.Bank, total: int) -> tuple[str, int, int]:
    """The bench teller and the payer's account, funded with `total` fen: (account number, its id, user id)."""
    user = bank.run(
        security.create_user,
        SYSTEM,
        UserCreate(username=BENCH_USER, roles=["teller"], branch_code=BRANCH, password="Bench-pass-2026"),
    )
    teller = make_actor(BENCH_USER, user.user.id, ("teller",), BRANCH, bank.branch_tree())

    def work(uow: Any) -> tuple[str, int]:
        c = customers.open_customer(
            uow,
            teller,
            customers.CustomerCreate(
                type="individual",
                name="Acme Payroll Director",
                id_type="resident_id",
                id_number=make_resident_id("110100", date(1975, 5, 5), 7),
                phone="13900000001",
            ),
        )
        acc = accounts.open_account(uow, teller, accounts.AccountOpen(customer_number=c.number))
        aid = accounts.load_for_posting(uow, [acc.number])[acc.number].id
        money = Money.from_minor(total, "CNY")
        ledger.post(
            uow,
            EntryDraft(
                "clearing_in",
                (
                    Leg.debit(chart.DUE_FROM_CENTRAL_BANK, BRANCH, money),
                    Leg.credit(chart.DEMAND_DEPOSITS, BRANCH, money, aid),
                ),
                memo="bench: the month's payroll arrives",
            ),
            by="system",
            channel="system",
        )
        return acc.number, aid

    number, aid = bank.run(work)
    return number, aid, user.user.id


def load_payees(engine: Engine, n: int) -> tuple[int, int]:
    """Bulk-load n active Type I demand accounts at branch 0001 with zero balances; return (first id - 1,
    number of customers)."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        pg = conn.dialect.name == "postgresql"
        t, f = ("true", "false") if pg else ("1", "0")

        def top(table: str) -> int:
            return int(conn.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one())

        cbase, abase = top("customers"), top("ledger_accounts")
        n_cust = -(-n // PAYEES_PER_CUSTOMER)
        conn.execute(
            text(
                f"""INSERT INTO customers (id, number, type, name, id_type, id_cipher, id_hash, id_masked, address,
                occupation, legal_representative, risk_level, status, home_branch, version, created_at, updated_at)
            SELECT {cbase} + i, 'BP' || CAST({cbase} + i AS VARCHAR(20)), 'individual', 'Bench Employee',
                   'resident_id', 'bench', 'bench-payee-' || CAST({cbase} + i AS VARCHAR(20)), 'bench', '', '', '',
                   'low', 'active', '{BRANCH}', 1, :now, :now
            FROM {series(pg, n_cust)}"""
            ),
            {"now": now},
        )
        conn.execute(
            text(
                f"""INSERT INTO ledger_accounts (id, gl_code, branch_code, currency, balance, held, floor, ceiling,
                allow_decrease, allow_increase, normal_sign, opened_on, last_movement_on)
            SELECT {abase} + i, '2011', '{BRANCH}', 'CNY', 0, 0, 0, NULL, {t}, {t}, -1, :opened, NULL
            FROM {series(pg, n)}"""
            ),
            {"opened": START},
        )
        conn.execute(
            text(
                f"""INSERT INTO deposit_accounts (id, number, customer_id, product_code, account_class,
                linked_account_id, currency, branch_code, gl_code, status, debit_blocked, credit_blocked, name,
                opened_on, opened_by, closed_on, out_day, out_day_total, out_year, out_year_total)
            SELECT {abase} + i, 'BPA' || CAST({abase} + i AS VARCHAR(20)),
                   {cbase + 1} + (i - 1) / {PAYEES_PER_CUSTOMER}, 'DEMAND_CNY', 1, NULL, 'CNY', '{BRANCH}',
                   '2011', 'active', {f}, {f}, 'Bench Employee',
                   :opened, 'bench', NULL, NULL, 0, NULL, 0
            FROM {series(pg, n)}"""
            ),
            {"opened": START},
        )
        if pg:
            conn.execute(text("ANALYZE"))
    return abase, n_cust


def write_file(path: Path, payer: str, abase: int, n: int, bank_code: str) -> int:
    """Stream the payroll file to `path`; return its total in fen."""
    total = sum(amount_of(i) for i in range(1, n + 1))
    ctrl = Decimal(total) / 100
    header = iso20022.Pain001Header(
        msg_id="PAYROLL-2026-03-BENCH",
        created_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        nb_of_txs=n,
        control_sum=ctrl,
        initiating_party="Acme Manufacturing Co Ltd",
    )
    info = iso20022.Pain001PaymentInfo(
        pmt_inf_id="PAYROLL-MAR",
        debtor_name="Acme Manufacturing Co Ltd",
        debtor_account=payer,
        debtor_bank_code=bank_code,
        requested_execution_date=START,
        nb_of_txs=n,
        control_sum=ctrl,
        batch_booking=True,
    )

    def lines() -> Iterator[iso20022.Pain001Line]:
        for i in range(1, n + 1):
            yield iso20022.Pain001Line(
                pmt_inf_id="PAYROLL-MAR",
                seq=i,
                end_to_end_id=f"SAL-202603-{i:07d}",
                amount=Decimal(amount_of(i)) / 100,
                currency="CNY",
                creditor_name=f"Employee {i}",
                creditor_account=f"BPA{abase + i}",
                creditor_bank_code=bank_code,
                remittance="salary 2026-03",
            )

    iso20022.build_pain001(header, [info], lines(), out=path)
    return total


# ---------------------------------------------------------------- the raw SQL baseline


def baseline(engine: Engine, payer_id: int, abase: int, n: int, day: date) -> tuple[float, float]:
    """The same rows written raw in one transaction (see the module note), timed with its commit; undone.
    Returns (wall, CPU) seconds; SQLite runs in this process, so its CPU counts too."""
    now = datetime.now(UTC).replace(tzinfo=None)
    lines = [
        (0, i, "PAYROLL-MAR", f"SAL-202603-{i:07d}", f"BPA{abase + i}", f"Employee {i}", "x", amount_of(i), "CNY",
         "salary 2026-03", "credited", abase + i)
        for i in range(1, n + 1)
    ]  # fmt: skip
    total = sum(amount_of(i) for i in range(1, n + 1))
    raw = engine.raw_connection()
    try:
        pg = engine.dialect.name == "postgresql"
        p = "%s" if pg else "?"

        def marks(k: int) -> str:
            return ", ".join([p] * k)

        start, cpu = time.perf_counter(), time.process_time()
        cur = raw.cursor()
        if not pg:  # the bank's engine leaves transaction control to the caller (see corebank.db.engine)
            cur.execute("BEGIN IMMEDIATE")
        cur.executemany(
            f"""INSERT INTO bulk_lines (batch_id, seq, pmt_inf_id, end_to_end_id, creditor_account, creditor_name,
                creditor_bank_code, amount, currency, remittance, status, reason_text, payee_account_id)
            VALUES ({marks(11)}, '', {p})""",
            lines,
        )
        cur.execute(
            f"""INSERT INTO journal_entries (booking_date, value_date, kind, memo, reference, reverses_id,
                created_by, channel, created_at) VALUES ({marks(9)}) RETURNING id""",
            (day, day, "bench.raw", "raw baseline", None, None, "bench", "system", now),
        )
        entry_id = (cur.fetchone() or [0])[0]
        jl: list[tuple[Any, ...]] = [
            (entry_id, 1, "2011", BRANCH, payer_id, "CNY", total, None, day, day, "raw")
        ]
        jl += [(entry_id, i + 1, "2011", BRANCH, abase + i, "CNY", -amount_of(i), amount_of(i), day, day, "raw")
               for i in range(1, n + 1)]  # fmt: skip
        cur.executemany(
            f"""INSERT INTO journal_lines (entry_id, line_no, gl_code, branch_code, account_id, currency, amount,
                balance_after, booking_date, value_date, narrative) VALUES ({marks(11)})""",
            jl,
        )
        del jl
        moves = [(-total, payer_id)] + [(amount_of(i), abase + i) for i in range(1, n + 1)]
        cur.executemany(f"UPDATE ledger_accounts SET balance = balance + {p} WHERE id = {p}", moves)
        raw.commit()
        elapsed = time.perf_counter() - start, time.process_time() - cpu
        # Undo, untimed.
        if not pg:
            cur.execute("BEGIN IMMEDIATE")
        cur.executemany(f"UPDATE ledger_accounts SET balance = balance - {p} WHERE id = {p}", moves)
        cur.execute(f"DELETE FROM journal_lines WHERE entry_id = {p}", (entry_id,))
        cur.execute(f"DELETE FROM journal_entries WHERE id = {p}", (entry_id,))
        cur.execute("DELETE FROM bulk_lines WHERE batch_id = 0")
        raw.commit()
        return elapsed
    finally:
        raw.close()


# ---------------------------------------------------------------- the upload, in a child process

DRIVER = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from corebank import bootstrap
from corebank.config import Settings
from corebank.payments import bulk
from corebank.security import make_actor
bank = bootstrap.build(Settings())
actor = make_actor(sys.argv[3], int(sys.argv[4]), ("teller",), "0001", bank.branch_tree())
t1, c1 = time.perf_counter(), time.process_time()
if len(sys.argv) > 5:  # --profile N: cProfile the upload, print the top N functions by own time
    import cProfile, pstats
    prof = cProfile.Profile()
    read = prof.runcall(bank.run, bulk.upload, actor, Path(sys.argv[2]), "bench-upload-1", file_name="payroll.xml")
    pstats.Stats(prof).sort_stats("tottime").print_stats(int(sys.argv[5]))
else:
    read = bank.run(bulk.upload, actor, Path(sys.argv[2]), "bench-upload-1", file_name="payroll.xml")
t2, c2 = time.perf_counter(), time.process_time()
bank.dispose()
got = {"imports": t1 - t0, "upload": t2 - t1, "upload_cpu": c2 - c1, "batch": read.model_dump(mode="json")}
json.dump(got, open(sys.argv[1], "w"))
"""


def run_upload(settings: Settings, path: Path, user_id: int, profile: int) -> dict[str, Any]:
    """Upload the file in a child process; its figures, wall time and peak RSS (MB, from wait4)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        args = [sys.executable, "-c", DRIVER, str(report), str(path), BENCH_USER, str(user_id)]
        start = time.perf_counter()
        proc = subprocess.Popen([*args, *([str(profile)] if profile else [])], env=server_env(settings))
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"the upload failed (exit {os.waitstatus_to_exitcode(status)})")
        got: dict[str, Any] = json.loads(report.read_text())
    got["wall"] = wall
    got["rss_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    return got


def checks(engine: Engine, payer_id: int, abase: int, n: int, bank: bootstrap.Bank) -> str:
    with engine.connect() as conn:
        credited = conn.execute(
            text("SELECT COUNT(*) FROM bulk_lines WHERE status = 'credited' AND batch_id > 0")
        ).scalar_one()
        payees = conn.execute(
            text(
                f"SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE id > {abase} AND id <= {abase + n}"
            )
        ).scalar_one()
        payer = conn.execute(text(f"SELECT balance FROM ledger_accounts WHERE id = {payer_id}")).scalar_one()
    expect = sum(amount_of(i) for i in range(1, n + 1))

    def books(uow: Any) -> tuple[int, bool]:
        susp = sum(
            b
            for gl, _br, _c, b in ledger.gl_balances(uow, uow.business_date)
            if gl == chart.CLEARING_SUSPENSE
        )
        return susp, ledger.trial_balance(uow).balanced

    susp, balanced = bank.run(books, readonly=True)
    ok = credited == n and int(payees) == expect and int(payer) == 0 and susp == 0 and balanced
    return (
        f"{'OK' if ok else 'FAILED'}: {credited} lines credited, payees hold {int(payees) / 100:.2f} "
        f"(expected {expect / 100:.2f}), payer left {int(payer) / 100:.2f}, clearing suspense {susp}, "
        f"trial balance {'balanced' if balanced else 'NOT balanced'}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=100_000, help="payroll lines (payees), default 100,000")
    ap.add_argument("--url", help="a PostgreSQL server URL (a scratch database is created and dropped)")
    ap.add_argument("--profile", type=int, default=0, help="cProfile the upload, print the top N functions")
    args = ap.parse_args()
    n = args.lines
    print(machine())
    with bench_database(args.url) as (url, var):
        settings = bench_settings(url, var)
        bank = bootstrap.build(settings)
        bootstrap.upgrade_db(bank)
        bootstrap.initialize(bank, START)
        total = sum(amount_of(i) for i in range(1, n + 1))
        t = time.perf_counter()
        payer, payer_id, user_id = open_payer(bank, total)
        engine = create_engine(url)
        abase, n_cust = load_payees(engine, n)
        path = var / "payroll.xml"
        write_file(path, payer, abase, n, settings.bank_code)
        size_mb = path.stat().st_size / 1e6
        print(f"loaded {n:,} payees ({n_cust:,} customers) and wrote the file ({size_mb:.1f} MB) "
              f"in {time.perf_counter() - t:.1f} s")  # fmt: skip
        day = bank.run(lambda uow: uow.business_date, readonly=True)
        # The bank's own engine: the same pragmas (foreign keys, WAL, synchronous) as the upload's.
        base = baseline(bank.engine, payer_id, abase, n, day)
        up = run_upload(settings, path, user_id, args.profile)
        verdict = checks(engine, payer_id, abase, n, bank)
        engine.dispose()
        bank.dispose()
    backend = "PostgreSQL" if args.url else "SQLite"
    print_table(
        ["back end", "lines", "raw SQL s", "upload s", "ratio", "CPU: raw", "upload", "ratio", "peak RSS MB"],
        [
            [
                backend,
                f"{n:,}",
                f"{base[0]:.2f}",
                f"{up['upload']:.2f}",
                f"{up['upload'] / base[0]:.2f}",
                f"{base[1]:.2f}",
                f"{up['upload_cpu']:.2f}",
                f"{up['upload_cpu'] / base[1]:.2f}",
                f"{up['rss_mb']:.0f}",
            ]
        ],
    )
    b = up["batch"]
    print(
        f"batch {b['batch_id']}: {b['status']}, {b['credited_count']:,} credited, {b['failed_count']} failed"
    )
    print(verdict)


if __name__ == "__main__":
    main()
