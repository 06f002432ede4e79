"""Loads the demo: set-up, day after day of planned work, and the stand-in close of day."""

from __future__ import annotations

import random
from datetime import date

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select

from corebank import eod, ledger, tellers
from corebank.accounts.models import DepositAccount
from corebank.customers.models import Customer
from corebank.db.uow import UnitOfWork
from corebank.demo.channels import DEMO_ATM, DEMO_PIN, DEMO_PIN_KEY, add_channels
from corebank.demo.common import (
    BRANCH,
    BRANCH_FUNDING,
    CHUNK,
    CNY,
    DEMO_CUSTOMERS,
    DEMO_DAYS,
    DEMO_PASSWORD,
    HEAD,
    SEED,
    STAFF,
    DemoBank,
    Op,
)
from corebank.demo.loans import add_loans
from corebank.demo.payments import add_payments
from corebank.demo.people import (
    _Customer,
    _make_customers,
)
from corebank.demo.planner import (
    _Planner,
)
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.ledger.models import JournalEntry
from corebank.security import SYSTEM, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate

# ---------------------------------------------------------------- loading


def _run_ops(uow: UnitOfWork, ops: list[Op]) -> None:
    for op in ops:
        op(uow)


def _set_up(uow: UnitOfWork) -> tuple[dict[str, int], dict[str, int]]:
    """Branch 0002 with a vault funded from head office (现金调拨), and the demo staff.
    Returns user ids by username and vault cash by branch."""
    if BRANCH not in ledger.branch_tree(uow):
        ledger.add_branch(uow, BRANCH, "Riverside branch", HEAD, "branch")
    tellers.open_vault(uow, BRANCH, CNY)
    head, branch = tellers.vault_account(uow, HEAD, CNY), tellers.vault_account(uow, BRANCH, CNY)
    cash = Money.from_minor(BRANCH_FUNDING, CNY)
    ledger.post(
        uow,
        EntryDraft(
            "vault_transfer",
            (
                Leg.debit(chart.VAULT_CASH, BRANCH, cash, branch),
                Leg.credit(chart.VAULT_CASH, HEAD, cash, head),
            ),
            memo="cash allocation (现金调拨): head office to Riverside branch",
            reference=tellers.voucher_number(uow, HEAD),
        ),
        by="system",
        channel="system",
    )
    existing = {u.username: u.id for u in security.list_users(uow, SYSTEM)}
    ids = {}
    for username, role, branch_code, full_name in STAFF:
        if username not in existing:
            cmd = UserCreate(
                username=username,
                roles=[role],
                branch_code=branch_code,
                full_name=full_name,
                password=DEMO_PASSWORD,
            )
            existing[username] = security.create_user(uow, SYSTEM, cmd).user.id
        ids[username] = existing[username]
    vaults = ledger.balances(uow, [head, branch])
    return ids, {HEAD: vaults[head].balance, BRANCH: vaults[branch].balance}


def _count(uow: UnitOfWork) -> dict[str, int]:
    s = uow.session
    return {
        "customers": int(s.execute(select(func.count()).select_from(Customer)).scalar_one()),
        "accounts": int(s.execute(select(func.count()).select_from(DepositAccount)).scalar_one()),
        "entries": int(s.execute(select(func.count()).select_from(JournalEntry)).scalar_one()),
    }


def is_empty(bank: DemoBank) -> bool:
    """True when the bank has no customers yet (the demo loads only into such a bank)."""
    counts: dict[str, int] = bank.run(_count, readonly=True)
    return counts["customers"] == 0


def load(
    bank: DemoBank, console: Console | None = None, *, customers: int = DEMO_CUSTOMERS, days: int = DEMO_DAYS
) -> str:
    """Load the demo into an initialized bank with no customers: a second branch, staff, `customers`
    customers and `days` business days of activity from the current business date on (which ends `days`
    later). Returns a one-line summary; prints the staff and their password to `console` when given."""
    rng = random.Random(SEED)
    start: date = bank.run(lambda uow: uow.business_date, readonly=True)
    ids, vaults = bank.run(_set_up)
    bank._tree_at = 0  # the branch cache must see branch 0002
    tree = bank.branch_tree()
    staff = {u: make_actor(u, ids[u], (role,), br, tree) for u, role, br, _n in STAFF}
    people = _make_customers(rng, customers, days, start)
    planner = _Planner(rng, staff, bank.settings, start, volume=customers / DEMO_CUSTOMERS)
    planner.vault.update(vaults)
    arrivals: dict[int, list[_Customer]] = {}
    for c in people:
        arrivals.setdefault(c.opens_on, []).append(c)
    # Two till differences (长短款) to show: a short and an over.
    differences: dict[int, dict[str, int]] = {}
    differences.setdefault(days // 3, {})["teller02"] = -5_000
    differences.setdefault(2 * days // 3, {})["teller21"] = 10_000
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=console is None) as progress:
        day_task = progress.add_task("business days", total=days)
        customer_task = progress.add_task("customers", total=customers)
        for d in range(days):
            planner.day = d
            planner.plan_day(arrivals.get(d, []), differences.get(d, {}))
            ops, planner.ops = planner.ops, []
            for i in range(0, len(ops), CHUNK):
                chunk = ops[i : i + CHUNK]
                bank.run(_run_ops, [op for _w, op in chunk])
                progress.advance(customer_task, sum(w for w, _op in chunk))
            eod.close_day(bank, SYSTEM)  # the real end of day: interest, dormancy, GL snapshot, next date
            progress.advance(day_task)
    loan_book = add_loans(bank, staff, rng, count=max(10, customers // 25))
    payments = add_payments(bank, staff, rng)
    logins = add_channels(bank, staff, bank.settings.var_dir)
    counts = bank.run(_count, readonly=True)
    if console is not None:
        table = Table(title=f"demo staff (development only) — password for all: {DEMO_PASSWORD}")
        for col in ("username", "role", "branch", "name"):
            table.add_column(col)
        for row in STAFF:
            table.add_row(*row)
        console.print(table)
        table = Table(
            title=f"demo e-banking logins and cards (development only) — password {DEMO_PASSWORD}, PIN "
            f"{DEMO_PIN}; ATM {DEMO_ATM} with PIN key {DEMO_PIN_KEY}; also in var/demo-channels.json"
        )
        for col in ("login", "customer", "account", "phone", "card"):
            table.add_column(col)
        for m in logins:
            table.add_row(m.login_name, m.customer, m.account, m.phone, m.pan)
        console.print(table)
    return (
        f"2 branches, {len(STAFF)} staff (password {DEMO_PASSWORD}), {counts['customers']} customers, "
        f"{counts['accounts']} accounts, {days} days, {counts['entries']} entries, "
        f"{loan_book.get('disbursed', 0)} loans disbursed, {payments['billers']} billers, "
        f"{payments['bill_payments']} bill payments, {len(logins)} e-banking logins with cards, an ATM and a POS"
    )
