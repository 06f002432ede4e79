"""End of day over a book of active loans, against one raw UPDATE doing the daily interest accrual.

    .venv/bin/python bench/loans_eod.py                         # SQLite temp file, 50k and 200k loans
    .venv/bin/python bench/loans_eod.py --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/loans_eod.py --sizes 200000,200000 --chunk 20000

Per size, in a database of its own (a temp SQLite file, or a new database on the server of `--url`):

- load: a bank is initialized, then N loans are bulk loaded with set-based INSERT ... SELECT (not the service
  path) in the steady state of an ordinary day, 2026-06-10: one customer per 100 loans; per loan a demand
  account to debit (its ledger account under GL 2011 and its interest product, accrued through the day
  before), the loan's principal account under GL 1301 holding the principal not repaid, its application, the
  loan row and one current schedule of 12 monthly installments (equal principal at 4.90 %; 30-day periods).
  Loans are spread over the month so that 1/30 fall due on the closing day; each is in period 5 to 12, earlier
  installments paid. 5 % are overdue by 1 to 4 installments (1 to 119 days past due, classified and
  provisioned accordingly, penalty interest accrued through the day before) and their accounts are empty
  (one in ten holds half an installment that came in since: a partial auto-debit); the others' accounts hold
  three installments. 0.1 % are floating-rate working capital loans (LPR1Y + 0.85 %) whose anniversary
  repricing falls on the day. A promise to pay, due the day
  before, is open on a quarter of the overdue loans. One opening journal entry puts all of it into the books
  (1301, 2011, 1132 interest receivable = Σ accrued + overdue interest + penalty, 1304 provision) so that they
  balance; then, untimed, VACUUM ANALYZE on PostgreSQL or a WAL checkpoint on SQLite;
- baseline: the daily interest accrual done raw, one `UPDATE loans SET accrued_interest = <the accrual of the
  day>` over every active loan, timed with its commit, then undone untimed (the accrual of the day before);
- end of day: a child process doing what `corebank eod run --quiet` does (bench/eod.py's driver), timed from
  process start to exit, its peak RSS from wait4, each step's wall time from the progress callback.

Printed per size: baseline, the whole end of day, the loan steps alone (the deposit steps run over the
demand accounts too), ratios, peak RSS; then linearity (largest ÷ smallest) and the steps of the largest run.
"""

from __future__ import annotations

import sys

# bench/ holds http.py: first on sys.path it would shadow the standard library's http package.
sys.path.append(sys.path.pop(0))

import argparse
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text

from common import bench_database, bench_settings, machine, print_table
from corebank import bootstrap
from corebank.config import Settings
from corebank.loans import rules
from corebank.loans.jobs import provision_rates
from eod import EodRun, eod_status, run_eod, tidy

DAY = date(2026, 6, 10)
BRANCH = "0001"
LOANS_PER_CUSTOMER = 100
PERIODS = 12
PERIOD_DAYS = 30
RATE_NUM, RATE_DEN = 49, 12_000  # 4.90 % a year: a month's interest is 49/12,000 of the principal
PENALTY_E8 = 7_350_000  # 4.90 % × 1.5
FLOATING_SPREAD = "0.85"


@dataclass
class Result:
    loans: int
    load: float
    baseline: float
    eod: EodRun
    loan_steps: float  # the loans.* steps' wall time
    status: list[dict[str, Any]]
    note: str


# ---------------------------------------------------------------- SQL fragments per back end


class Dialect:
    def __init__(self, conn: Connection) -> None:
        self.pg = conn.dialect.name == "postgresql"

    def plus_days(self, base: date, days: str) -> str:
        """SQL for the date `base` + `days` (an integer SQL expression)."""
        if self.pg:
            return f"(DATE '{base.isoformat()}' + ({days}))"
        return f"date('{base.isoformat()}', printf('%+d days', {days}))"

    def days_since(self, later: date, column: str) -> str:
        if self.pg:
            return f"(DATE '{later.isoformat()}' - {column})"
        return f"CAST(julianday('{later.isoformat()}') - julianday({column}) AS INTEGER)"

    def days_between(self, later: str, earlier: str) -> str:
        if self.pg:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    @property
    def true(self) -> str:
        return "true" if self.pg else "1"

    @property
    def false(self) -> str:
        return "false" if self.pg else "0"

    def series(self, n: int) -> str:
        """A FROM item with one integer column `i` = 1..n."""
        if self.pg:
            return f"generate_series(1, {n}) AS s(i)"
        return f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s) AS s"


def classification_case(dpd: str) -> str:
    bands = sorted(rules.DEFAULT_BANDS, reverse=True)
    whens = " ".join(f"WHEN {dpd} >= {first} THEN '{name}'" for first, name in bands[:-1])
    return f"CASE {whens} ELSE '{bands[-1][1]}' END"


# ---------------------------------------------------------------- bulk load


def load_book(engine: Engine, n: int, day: date) -> None:
    """Bulk-load n loans in the steady state of `day` (see the module note)."""
    now = datetime.now(UTC)
    n_cust = max(1, -(-n // LOANS_PER_CUSTOMER))
    opened = day - timedelta(days=400)
    rates = provision_rates(Settings(environment="development").loan_provision_rates)
    with engine.begin() as conn:
        d = Dialect(conn)
        if d.pg and conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
            # A superuser may skip the per-row foreign-key triggers for this load (the rows are consistent by
            # construction): they are most of a bulk load's time on PostgreSQL.
            conn.execute(text("SET LOCAL session_replication_role = replica"))

        def q(sql: str, **params: Any) -> Any:
            return conn.execute(text(sql), params)

        def top(table: str) -> int:
            return int(q(f"SELECT COALESCE(MAX(id), 0) FROM {table}").scalar_one())

        cbase, abase = top("customers"), top("ledger_accounts")
        appbase, sbase = top("loan_applications"), top("loan_schedules")
        dep, lid = f"({abase} + b.i)", f"({abase + n} + b.i)"
        # The book's shape, one row per loan: o = days to its next due date (0: due today), k = its current
        # period, m = installments overdue (0 for 95 % of loans), p = principal per installment (fen).
        q(
            "CREATE TABLE bench_book (i BIGINT PRIMARY KEY, o INTEGER, k INTEGER, m INTEGER, p BIGINT, fl INTEGER)"
        )
        q(
            f"""INSERT INTO bench_book (i, o, k, m, p, fl)
            SELECT i, i % {PERIOD_DAYS}, 5 + (i / {PERIOD_DAYS}) % 8,
                   CASE WHEN (CAST(i AS BIGINT) * 7919) % 1000 < 50 THEN 1 + (i / 7) % 4 ELSE 0 END,
                   100000 + (CAST(i AS BIGINT) * 7919) % 900000,
                   CASE WHEN (CAST(i AS BIGINT) * 7919) % 1000 = 50 THEN 1 ELSE 0 END
            FROM {d.series(n)}"""
        )
        q("CREATE TABLE bench_periods (j INTEGER PRIMARY KEY)")
        q(f"INSERT INTO bench_periods (j) SELECT i FROM {d.series(PERIODS)}")
        q(
            f"""INSERT INTO customers (id, number, type, name, id_type, id_cipher, id_hash, id_masked, address,
                occupation, legal_representative, risk_level, status, home_branch, version, created_at, updated_at)
            SELECT {cbase} + i, 'BL' || CAST({cbase} + i AS VARCHAR(20)), 'individual', 'Bench Borrower',
                   'resident_id', 'bench', 'bench-loan-' || CAST({cbase} + i AS VARCHAR(20)), 'bench', '', '', '',
                   'low', 'active', '{BRANCH}', 1, :now, :now
            FROM {d.series(n_cust)}""",
            now=now,
        )
        cust = f"({cbase + 1} + (b.i - 1) / {LOANS_PER_CUSTOMER})"
        # Demand accounts to debit: three installments for a loan in good standing; an overdue one is empty,
        # or for one in ten money came in since yesterday: half an installment (a partial auto-debit).
        dep_balance = "CASE WHEN b.m = 0 THEN 3 * b.p WHEN b.i % 10 = 0 THEN b.p / 2 ELSE 0 END"
        q(
            f"""INSERT INTO ledger_accounts (id, gl_code, branch_code, currency, balance, held, floor, ceiling,
                allow_decrease, allow_increase, normal_sign, opened_on, last_movement_on)
            SELECT {dep}, '2011', '{BRANCH}', 'CNY', {dep_balance}, 0, 0, NULL, {d.true}, {d.true}, -1, :opened,
                   :moved
            FROM bench_book b""",
            opened=opened,
            moved=day - timedelta(days=30),
        )
        q(
            f"""INSERT INTO deposit_accounts (id, number, customer_id, product_code, account_class,
                linked_account_id, currency, branch_code, gl_code, status, debit_blocked, credit_blocked, name,
                opened_on, opened_by, closed_on, out_day, out_day_total, out_year, out_year_total)
            SELECT {dep}, 'BLD' || CAST({dep} AS VARCHAR(20)), {cust}, 'DEMAND_CNY', 1, NULL, 'CNY', '{BRANCH}',
                   '2011', 'active', {d.false}, {d.false}, 'Bench Borrower', :opened, 'bench', NULL, NULL, 0,
                   NULL, 0
            FROM bench_book b""",
            opened=opened,
        )
        q(
            f"""INSERT INTO interest_accumulators (account_id, product_code, branch_code, currency, accumulated,
                accrued_through, settled_through)
            SELECT {dep}, 'DEMAND_CNY', '{BRANCH}', 'CNY', ({dep_balance}) * 10, :through, :settled
            FROM bench_book b""",
            through=day - timedelta(days=1),
            settled=date(2026, 3, 20),
        )
        # The loans' principal accounts: the principal of every installment not paid.
        q(
            f"""INSERT INTO ledger_accounts (id, gl_code, branch_code, currency, balance, held, floor, ceiling,
                allow_decrease, allow_increase, normal_sign, opened_on, last_movement_on)
            SELECT {lid}, '1301', '{BRANCH}', 'CNY', ({PERIODS + 1} - b.k + b.m) * b.p, 0, 0, NULL, {d.true},
                   {d.true}, 1, :opened, :opened
            FROM bench_book b""",
            opened=opened,
        )
        product = "CASE WHEN b.fl = 1 THEN 'WORKING_CAPITAL_CNY' ELSE 'PERSONAL_LOAN_CNY' END"
        q(
            f"""INSERT INTO loan_applications (id, customer_id, product_code, branch_code, currency, amount,
                term_months, method, purpose, monthly_income, monthly_debt_payments, employment,
                employment_years, documents, repay_account_number, status, score, rating, pd, scorecard_code,
                scorecard_version, score_detail, scored_by, approved_amount, approved_term_months,
                approved_rate, approved_method, decided_by, decided_at, decision_reason, loan_id, channel,
                created_by, created_at, submitted_on)
            SELECT {appbase} + b.i, {cust}, {product}, '{BRANCH}', 'CNY', {PERIODS} * b.p, {PERIODS},
                   'equal_principal', 'bench', 2000000, 0, 'employed', 5, '[]', 'BLD' || CAST({dep} AS VARCHAR(20)),
                   'approved', NULL, 'A', NULL, NULL, NULL, NULL, NULL, {PERIODS} * b.p, {PERIODS}, '4.90',
                   'equal_principal', 'bench', :now, '', {lid}, 'counter', 'bench', :now, :opened
            FROM bench_book b""",
            now=now,
            opened=opened,
        )
        due = d.plus_days(day, "b.o")
        period_start = d.plus_days(day, f"b.o - {PERIOD_DAYS}")
        maturity = d.plus_days(day, f"b.o + {PERIOD_DAYS} * ({PERIODS} - b.k)")
        interest_k = f"((2 * ({PERIODS + 1} - b.k) * b.p * {RATE_NUM} + {RATE_DEN}) / {2 * RATE_DEN})"
        accrued = f"((2 * {interest_k} * ({PERIOD_DAYS} - b.o) + {PERIOD_DAYS}) / {2 * PERIOD_DAYS})"
        overdue_since = d.plus_days(day, f"b.o - {PERIOD_DAYS} * b.m")
        q(
            f"""INSERT INTO loans (id, loan_number, application_id, customer_id, product_code, branch_code,
                currency, method, term_months, contract_amount, disbursed_amount, annual_rate, rate_type,
                base_rate_code, spread, next_reprice_date, penalty_markup, penalty_rate_e8, compound, grace_days,
                prepayment_fee_rate, repay_account_id, repay_account_number, status, contracted_on,
                first_disbursed_on, maturity_date, closed_on, schedule_version, period_start, next_due_date,
                period_interest, accrual_base, accrued_interest, overdue_principal, overdue_interest,
                overdue_since, days_past_due, penalty_micros, penalty_accrued, penalty_paid, classification,
                classification_floor, officer_classification, classification_reason, provision, restructured,
                written_off_amount, written_off_on, recovered_amount, approved_by, officer, penalty_through)
            SELECT {lid}, 'BLN' || CAST({lid} AS VARCHAR(20)), {appbase} + b.i, {cust}, {product}, '{BRANCH}',
                   'CNY', 'equal_principal', {PERIODS}, {PERIODS} * b.p, {PERIODS} * b.p, '4.90',
                   CASE WHEN b.fl = 1 THEN 'floating' ELSE 'fixed' END,
                   CASE WHEN b.fl = 1 THEN 'LPR1Y' END, CASE WHEN b.fl = 1 THEN '{FLOATING_SPREAD}' END,
                   CASE WHEN b.fl = 1 THEN :day END, '0.5', {PENALTY_E8}, {d.true}, 0, '0.01', {dep},
                   'BLD' || CAST({dep} AS VARCHAR(20)), 'active', :opened, :opened, {maturity}, NULL, 1,
                   {period_start}, {due}, {interest_k}, 0, {accrued}, b.m * b.p, 0,
                   CASE WHEN b.m > 0 THEN {overdue_since} END, 0, 0, 0, 0, 'normal', 'normal', NULL, '', 0,
                   {d.false}, 0, NULL, 0, 'bench', 'bench', :through
            FROM bench_book b""",
            day=day,
            opened=opened,
            through=day - timedelta(days=1),
        )
        q(
            f"""INSERT INTO loan_schedules (id, loan_id, version, reason, status, principal, annual_rate, method,
                made_on, made_by)
            SELECT {sbase} + b.i, {lid}, 1, 'disbursement', 'current', {PERIODS} * b.p, '4.90',
                   'equal_principal', :opened, 'bench'
            FROM bench_book b""",
            opened=opened,
        )
        inst_due = d.plus_days(day, f"b.o + {PERIOD_DAYS} * (t.j - b.k)")
        inst_start = d.plus_days(day, f"b.o + {PERIOD_DAYS} * (t.j - b.k - 1)")
        interest_j = f"((2 * ({PERIODS + 1} - t.j) * b.p * {RATE_NUM} + {RATE_DEN}) / {2 * RATE_DEN})"
        paid = "t.j < b.k - b.m"
        q(
            f"""INSERT INTO loan_installments (schedule_id, loan_id, period, due_date, period_start, principal,
                interest, paid_principal, paid_interest, status, paid_on)
            SELECT {sbase} + b.i, {lid}, t.j, {inst_due}, {inst_start}, b.p, {interest_j},
                   CASE WHEN {paid} THEN b.p ELSE 0 END, CASE WHEN {paid} THEN {interest_j} ELSE 0 END,
                   CASE WHEN {paid} THEN 'paid' WHEN t.j < b.k THEN 'due' ELSE 'pending' END,
                   CASE WHEN {paid} THEN {inst_due} END
            FROM bench_book b CROSS JOIN bench_periods t"""
        )
        # Overdue loans: their unpaid interest, penalty accrued through yesterday, class and provision.
        dpd_before = d.days_since(day - timedelta(days=1), "overdue_since")
        q(
            """UPDATE loans SET overdue_interest = (SELECT SUM(interest) FROM loan_installments li
                   WHERE li.loan_id = loans.id AND li.status = 'due')
            WHERE overdue_principal > 0"""
        )
        penalty_day = f"(overdue_principal * {PENALTY_E8} / 36000 + overdue_interest * {PENALTY_E8} / 36000)"
        q(
            f"""UPDATE loans SET days_past_due = {dpd_before}, penalty_micros = {penalty_day} * {dpd_before},
                   classification = {classification_case(dpd_before)},
                   classification_floor = {classification_case(dpd_before)}
            WHERE overdue_principal > 0"""
        )
        q("UPDATE loans SET penalty_accrued = (penalty_micros + 500000) / 1000000 WHERE penalty_micros > 0")
        ppm = " ".join(f"WHEN '{name}' THEN {v}" for name, v in rates.items())
        q(
            f"""UPDATE loans SET provision = (SELECT (2 * la.balance * (CASE loans.classification {ppm} END)
                   + 1000000) / 2000000 FROM ledger_accounts la WHERE la.id = loans.id)
            WHERE id > {abase + n}"""
        )
        q(
            f"""INSERT INTO loan_collection_actions (loan_id, action, note, promise_amount, promise_date,
                promise_status, created_on, created_by, created_at)
            SELECT {lid}, 'promise', 'bench', b.p, :promised, 'open', :made, 'bench', :now
            FROM bench_book b WHERE b.m > 0 AND b.i % 4 = 1""",
            promised=day - timedelta(days=1),
            made=day - timedelta(days=10),
            now=now,
        )
        # One opening entry: the loans, the deposits, the receivable and the provision, against the central
        # bank account and income/impairment so that every branch balances.
        loans_total, receivable, provision = q(
            f"""SELECT SUM(la.balance), SUM(l.accrued_interest + l.overdue_interest + l.penalty_accrued),
                       SUM(l.provision)
            FROM loans l JOIN ledger_accounts la ON la.id = l.id WHERE l.id > {abase + n}"""
        ).one()
        deposits = q(
            f"SELECT SUM(balance) FROM ledger_accounts WHERE id > {abase} AND id <= {abase + n}"
        ).scalar()
        entry_id = q(
            """INSERT INTO journal_entries (booking_date, value_date, kind, memo, reference, reverses_id,
                created_by, channel, created_at)
            VALUES (:day, :day, 'bench_load', 'bench: opening loan book', NULL, NULL, 'bench', 'system', :now)
            RETURNING id""",
            day=day,
            now=now,
        ).scalar_one()
        legs = [
            ("1301", int(loans_total)),
            ("2011", -int(deposits)),
            ("1003", int(deposits) - int(loans_total)),
            ("1132", int(receivable)),
            ("6011", -int(receivable)),
            ("6701", int(provision)),
            ("1304", -int(provision)),
        ]
        for no, (gl, amount) in enumerate(legs, start=1):
            q(
                """INSERT INTO journal_lines (entry_id, line_no, gl_code, branch_code, account_id, currency,
                    amount, balance_after, booking_date, value_date, narrative)
                VALUES (:e, :no, :gl, :br, NULL, 'CNY', :amount, NULL, :day, :day, 'bench load')""",
                e=entry_id,
                no=no,
                gl=gl,
                br=BRANCH,
                amount=amount,
                day=day,
            )
        q("DROP TABLE bench_book")
        q("DROP TABLE bench_periods")
        if d.pg:
            for table in ("customers", "ledger_accounts", "loan_applications", "loan_schedules"):
                q(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


# ---------------------------------------------------------------- raw baseline


def accrual_update(d: Dialect, day: date) -> str:
    """The day's accrual of every active loan in one raw statement (what `loans.accrue` computes)."""
    period = d.days_between("next_due_date", "period_start")
    elapsed = f"({d.days_since(day, 'period_start')} + 1)"
    days = f"CASE WHEN {elapsed} > {period} THEN {period} ELSE {elapsed} END"
    return (
        f"UPDATE loans SET accrued_interest = accrual_base + (2 * (period_interest - accrual_base) * {days} "
        f"+ {period}) / (2 * {period}) WHERE status = 'active' AND next_due_date IS NOT NULL"
    )


def baseline(engine: Engine, day: date, expect: int) -> float:
    """Time the raw accrual of `day` with its commit, then undo it untimed (the accrual of the day before,
    which is what the load holds)."""
    with engine.connect() as c:
        d = Dialect(c)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        sqlite = not d.pg
        result = 0.0
        for when, timed in ((day, True), (day - timedelta(days=1), False)):
            start = time.perf_counter()
            if sqlite:
                cur.execute("BEGIN IMMEDIATE")
            cur.execute(accrual_update(d, when))
            rows = cur.rowcount
            if sqlite:
                cur.execute("COMMIT")
            else:
                raw.commit()
            if timed:
                result = time.perf_counter() - start
            if rows < expect:
                raise RuntimeError(f"the raw UPDATE touched {rows} rows, expected {expect}")
        cur.close()
    finally:
        raw.close()
    tidy(engine)
    return result


# ---------------------------------------------------------------- checks after the end of day


def check_book(engine: Engine, day: date, n: int) -> str:
    """What the end of day did to the loan book (and that the date rolled)."""
    with engine.connect() as conn:
        bd = conn.execute(text("SELECT business_date, phase FROM bank_state WHERE id = 1")).one()
        if str(bd[0]) != str(day + timedelta(days=1)):
            raise SystemExit(f"end of day left the business date at {bd[0]}")
        still_due = conn.execute(
            text("SELECT COUNT(*) FROM loans WHERE status = 'active' AND next_due_date <= :d"), {"d": day}
        ).scalar_one()
        if still_due:
            raise SystemExit(f"{still_due} loans are still due on {day}")
        debits = conn.execute(
            text("SELECT COUNT(*) FROM loan_repayments WHERE kind = 'auto_debit' AND booked_on = :d"),
            {"d": day},
        ).scalar_one()
        penalised = conn.execute(
            text("SELECT COUNT(*) FROM loans WHERE penalty_through = :d"), {"d": day}
        ).scalar_one()
        repriced = conn.execute(
            text("SELECT COUNT(*) FROM loan_schedules WHERE reason = 'repricing' AND made_on = :d"),
            {"d": day},
        ).scalar_one()
        changed = conn.execute(
            text("SELECT COUNT(*) FROM loan_classifications WHERE changed_on = :d"), {"d": day}
        ).scalar_one()
    return (
        f"{debits:,} auto-debits, {penalised:,} penalised, {repriced} repriced, {changed:,} reclassified; "
        f"business date now {bd[0]}"
    )


# ---------------------------------------------------------------- main


def one_size(url: str | None, n: int, chunk: int | None, profile: int) -> Result:
    with bench_database(url) as (db_url, var):
        settings = bench_settings(db_url, var)
        bank = bootstrap.build(settings)
        bootstrap.upgrade_db(bank)
        bootstrap.initialize(bank, DAY)
        start = time.perf_counter()
        load_book(bank.engine, n, DAY)
        load = time.perf_counter() - start
        tidy(bank.engine)
        base = baseline(bank.engine, DAY, n)
        eod = run_eod(settings, chunk, var, profile)
        run = eod_status(settings, DAY)
        note = check_book(bank.engine, DAY, n)
        bank.dispose()
        loan_steps = sum(s for name, s in eod.steps.items() if name.startswith("loans."))
        print(
            f"  {n:>9,} loans: load {load:.1f} s, baseline {base:.2f} s, end of day {eod.wall:.1f} s "
            f"(loan steps {loan_steps:.1f} s), peak RSS {eod.rss_mb:.0f} MB; {note}",
            flush=True,
        )
        return Result(n, load, base, eod, loan_steps, run["steps"], note)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="PostgreSQL server URL (a new database is created there); default SQLite")
    ap.add_argument(
        "--sizes", default="50000,200000", help="comma-separated book sizes (repeat one to see noise)"
    )
    ap.add_argument(
        "--chunk", type=int, help="COREBANK_EOD_CHUNK_SIZE for the end of day (default: settings)"
    )
    ap.add_argument("--profile", type=int, default=0, help="cProfile each end of day, print the top N")
    args = ap.parse_args()
    sizes = [int(x.replace("_", "")) for x in args.sizes.split(",") if x]
    backend = "postgresql" if args.url else "sqlite"
    chunk = args.chunk or Settings(environment="development").eod_chunk_size
    print(f"CoreBank loan end-of-day benchmark — {backend}, closing {DAY}, chunk {chunk:,}")
    print(machine())
    t0 = time.perf_counter()
    results = [one_size(args.url, n, args.chunk, args.profile) for n in sizes]
    print()
    print_table(
        ["loans", "load s", "baseline s", "EOD s", "(run s)", "loan steps s", "EOD/baseline", "loans/baseline",
         "peak RSS MB"],
        [
            [f"{r.loans:,}", f"{r.load:.1f}", f"{r.baseline:.2f}", f"{r.eod.wall:.1f}", f"{r.eod.run:.1f}",
             f"{r.loan_steps:.1f}", f"{r.eod.wall / r.baseline:.1f}x", f"{r.loan_steps / r.baseline:.1f}x",
             f"{r.eod.rss_mb:.0f}"]
            for r in results
        ],
    )  # fmt: skip
    by_size: dict[int, list[Result]] = {}
    for r in results:
        by_size.setdefault(r.loans, []).append(r)
    small, large = min(by_size), max(by_size)
    if large > small:

        def mean(size: int, f: str) -> float:
            return statistics.mean(
                getattr(r.eod, f) if f != "loan_steps" else r.loan_steps for r in by_size[size]
            )

        print(
            f"\nlinearity: EOD at {large:,} ÷ EOD at {small:,} = {mean(large, 'wall') / mean(small, 'wall'):.1f} "
            f"(loan steps {mean(large, 'loan_steps') / mean(small, 'loan_steps'):.1f}; size ratio "
            f"{large / small:.0f}; mean of the runs of each size)"
        )
    biggest = max(results, key=lambda r: (r.loans, r.eod.wall))
    print(f"\nsteps of the end of day for {biggest.loans:,} loans:")
    print_table(
        ["step", "rows", "chunks", "measured s"],
        [
            [s["name"], str(s["rows"]), str(s["chunks"]), f"{biggest.eod.steps.get(s['name'], 0):.2f}"]
            for s in biggest.status
        ],
    )
    print(
        "\nEOD s: wall time of the end-of-day process (python start to exit); run s: eod.run_until alone; loan "
        "steps s: the loans.* steps (the deposit steps also run over the borrowers' demand accounts)."
        "\nbaseline: one raw UPDATE setting every active loan's accrued interest to the day's figure, with its "
        f"commit.\ntotal bench time {time.perf_counter() - t0:.0f} s"
    )


if __name__ == "__main__":
    main()
