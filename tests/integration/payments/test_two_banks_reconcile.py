"""The issue's acceptance test: two CoreBanks and the clearing house simulator (in-process, over HTTP through
Starlette test clients) exchange thousands of payments over two business days with a real end of day between
them: BEPS and HVPS (urgent, or over the BEPS single limit), random rejects by clearing, and returns for
unknown, closed, frozen, credit-blocked and misnamed payee accounts. Then each bank reconciles each day with
the simulator's settlement file: zero exceptions, zero clearing suspense, the ledger invariants hold, the
central bank account moved exactly as clearing moved the settlement account, and every message either bank
wrote validates against its XSD with domestic identifiers (Othr/Id accounts, 12-digit ClrSysMmbId agents).
Last, a status report lost on the way is found by reconciliation as exactly one exception, and applying the
clearing house's outcome resolves it and brings suspense back to zero."""

from __future__ import annotations

import os
import random
import re
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from lxml import etree
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from corebank import accounts, bootstrap, eod, iso20022, ledger, tellers
from corebank.config import Settings
from corebank.ledger.models import GLAccount, JournalLine, LedgerAccount
from corebank.payments import clearing_link, interbank, reconcile
from corebank.payments.interbank_schemas import InterbankCreate
from corebank.security import SYSTEM, Actor, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate
from tests.conftest import START_DATE
from tests.factories import deposit, new_account
from tests.integration.payments.interbank_support import FixedClock, Simulator, central_bank, join, simulator

pytestmark = pytest.mark.slow

DAY1 = START_DATE  # Monday 2 March 2026
DAY2 = date(2026, 3, 3)
DAY3 = date(2026, 3, 4)
TEN_AM = {d: datetime(d.year, d.month, d.day, 2, 0, tzinfo=UTC) for d in (DAY1, DAY2, DAY3)}  # 10:00 Shanghai
PAYMENTS_PER_DAY_EACH_WAY = 500  # 2 days x 2 banks: 2,000 payments
PAYERS_PER_BANK = 20
XSD_DIR = Path(iso20022.__file__).parent / "xsd"
PASSWORD = "Two-banks-recon-1"


@dataclass
class Member:
    name: str
    host: str
    bank: bootstrap.Bank
    clock: FixedClock
    teller: Actor
    clerk: Actor
    payers: list[Any] = field(default_factory=list)
    refusing: dict[str, Any] = field(default_factory=dict)  # why a credit is returned -> that account

    @property
    def code(self) -> str:
        return str(self.bank.settings.bank_code)


class Recorder:
    """The bank's client to clearing: posts through the simulator's client and keeps every body it wrote."""

    def __init__(self, client: Any):
        self.client = client
        self.sent: list[bytes] = []

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Any:
        self.sent.append(content)
        return self.client.post(url, content=content, headers=headers)


@dataclass
class _Accepted:
    status_code: int = 200


class LossyInbound:
    """A bank's inbound endpoint seen from clearing, able to lose the next pacs.002 (answering 200, as a
    network that dropped the push after the bank's proxy accepted it would)."""

    def __init__(self, client: Any):
        self.client = client
        self.lose_next_status = False
        self.lost: list[bytes] = []

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Any:
        if self.lose_next_status and iso20022.message_name(content).startswith("pacs.002"):
            self.lose_next_status = False
            self.lost.append(content)
            return _Accepted()
        return self.client.post(url, content=content, headers=headers)


def _user(bank: bootstrap.Bank, username: str, role: str) -> Actor:
    user = bank.run(
        security.create_user,
        SYSTEM,
        UserCreate(username=username, roles=[role], branch_code="0001", password=PASSWORD),
    )
    return make_actor(username, user.user.id, (role,), "0001", bank.branch_tree())


def _database(settings: Settings, tmp: Path, name: str, made: list[str]) -> str:
    """The bank's own database: a SQLite file, or in the PostgreSQL run a fresh database on that server."""
    pg = os.environ.get("COREBANK_TEST_DATABASE_URL")
    if not pg:
        return f"sqlite:///{tmp / f'{name}.db'}"
    url = make_url(pg)
    db = f"two_banks_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db}"'))
    admin.dispose()
    made.append(db)
    return url.set(database=db).render_as_string(hide_password=False)


def _drop(made: list[str]) -> None:
    pg = os.environ.get("COREBANK_TEST_DATABASE_URL")
    if not pg or not made:
        return
    admin = create_engine(make_url(pg), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for db in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}"'))
    admin.dispose()


def _member(settings: Settings, tmp: Path, name: str, code: str, made: list[str]) -> Member:
    s = settings.model_copy(
        update={
            "database_url": _database(settings, tmp, name, made),
            "bank_code": code,
            "bank_name": f"Bank {name.upper()}",
            "clearing_token": f"bank-{name}-recon-token",
            "clearing_url": "http://clearing",
        }
    )
    clock = FixedClock(TEN_AM[DAY1])
    bank = bootstrap.build(s, clock)
    bootstrap.upgrade_db(bank)
    assert bootstrap.initialize(bank, DAY1).created
    teller = _user(bank, f"teller_{name}", "teller")
    m = Member(name, f"bank-{name}", bank, clock, teller, _user(bank, f"clerk_{name}", "accountant"))
    bank.run(tellers.open_till, teller, tellers.TillOpen(opening_cash="100000.00"))
    for _ in range(PAYERS_PER_BANK):
        acc = new_account(bank, teller)
        deposit(bank, teller, acc.number, "5000000.00")
        m.payers.append(acc)
    closed = new_account(bank, teller)
    bank.run(accounts.close_account, teller, closed.number, accounts.CloseRequest(), f"close-{name}")
    frozen = new_account(bank, teller)
    bank.run(
        accounts.freeze, SYSTEM, frozen.number, accounts.FreezeRequest(kind="full", reason="court order")
    )
    blocked = new_account(bank, teller)
    bank.run(
        accounts.set_blocks,
        SYSTEM,
        blocked.number,
        accounts.BlockRequest(credit_blocked=True, reason="dormant, no credits"),
    )
    m.refusing = {"AC04": closed, "AC06": frozen, "AC06b": blocked}
    return m


@pytest.fixture(scope="module")
def world(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = Path(tmp_path_factory.mktemp("two-banks-reconcile"))
    made: list[str] = []
    a = _member(settings, tmp, "a", "313100000021", made)
    b = _member(settings, tmp, "b", "104100000045", made)
    sim = simulator(tmp, reject_rate=0.05, seed=20260303)
    apps = ExitStack()  # each test client kept open: one event loop thread for all its requests
    apps.enter_context(sim.client)
    for m in (a, b):
        join(sim, m.bank, m.host)
        sim.router.clients[m.host] = LossyInbound(apps.enter_context(sim.router.clients[m.host]))
    out = Recorder(sim.client)
    start = {m.code: (central_bank(m.bank), sim.balance(m.code)) for m in (a, b)}
    for day in (DAY1, DAY2):
        for m in (a, b):
            m.clock.at = TEN_AM[day]
            assert m.bank.run(lambda uow: uow.business_date, readonly=True) == day
        rng = random.Random(day.toordinal())
        _pay_many(rng, a, b, day)
        _pay_many(rng, b, a, day)
        _clear(a, b, sim, out)
        for m in (a, b):
            assert eod.close_day(m.bank, SYSTEM) == day
    yield a, b, sim, out, start
    apps.close()
    a.bank.dispose()
    b.bank.dispose()
    _drop(made)


def _pay_many(rng: random.Random, payer: Member, payee: Member, day: date) -> None:
    refusing = list(payee.refusing.values())
    for i in range(PAYMENTS_PER_DAY_EACH_WAY):
        src = rng.choice(payer.payers)
        dst = rng.choice(payee.payers)
        account, name = dst.number, dst.name
        luck = rng.random()
        if luck < 0.03:
            account = f"62{rng.randint(10**13, 10**14 - 1)}"  # no such account at the payee's bank
        elif luck < 0.07:
            bad = rng.choice(refusing)
            account, name = bad.number, bad.name
        elif luck < 0.08:
            name = "Somebody Else"  # the account exists, the name is not its holder's
        amount = rng.choice([rng.randint(1, 5000), rng.randint(5000, 49000), rng.randint(50001, 90000)])
        cmd = InterbankCreate(
            from_account=src.number,
            creditor_bank_code=payee.code,
            creditor_account=account,
            creditor_name=name,
            amount=f"{amount}.{rng.randint(0, 99):02d}",
            urgent=rng.random() < 0.1,
        )
        payer.bank.run(interbank.send_interbank, payer.teller, cmd, f"tbr-{payer.name}-{day}-{i}")


def _statuses(m: Member, day: date | None = None) -> Counter[tuple[str, str]]:
    def read(uow: Any) -> Counter[tuple[str, str]]:
        ib = interbank.ib
        q = select(ib.c.direction, ib.c.status, func.count()).group_by(ib.c.direction, ib.c.status)
        if day is not None:
            q = q.where(ib.c.value_date == day)
        return Counter({(d, s): n for d, s, n in uow.conn.execute(q)})

    return m.bank.run(read, readonly=True)


def _unfinished(m: Member) -> int:
    return sum(n for (_, s), n in _statuses(m).items() if s in ("created", "sent", "return_pending"))


def _clear(a: Member, b: Member, sim: Simulator, out: Recorder) -> None:
    """Send, net and deliver until every payment of the day is final (returns take a second round)."""
    for _round in range(8):
        for m in (a, b):
            clearing_link.send_pending(m.bank, out)
        sim.settle_and_deliver()
        if not (_unfinished(a) or _unfinished(b)):
            return
    raise AssertionError(f"payments still in flight: {_statuses(a)} {_statuses(b)}")


def _suspense(m: Member) -> int:
    def read(uow: Any) -> int:
        balance, _in_flight = reconcile.suspense_position(uow)
        return balance

    return m.bank.run(read, readonly=True)


def _check_books(m: Member) -> None:
    """The ledger invariants: every entry balances, the trial balance is zero bank-wide and per branch,
    sub-ledgers add up to their control accounts, no balance is under its floor, the audit chain verifies."""

    def read(uow: Any) -> None:
        s = uow.session
        unbalanced = s.execute(
            select(JournalLine.entry_id, func.sum(JournalLine.amount))
            .group_by(JournalLine.entry_id, JournalLine.currency)
            .having(func.sum(JournalLine.amount) != 0)
        ).all()
        assert unbalanced == []
        assert ledger.trial_balance(uow).balanced
        for branch in ledger.branch_tree(uow):
            assert ledger.trial_balance(uow, branch_code=branch).balanced, branch
        with_sub = set(s.execute(select(GLAccount.code).where(GLAccount.has_subledger.is_(True))).scalars())
        gl = {(g, br, c): v for g, br, c, v in ledger.gl_balances(uow, uow.business_date) if g in with_sub}
        sub = {(g, br, c): v for g, br, c, v in ledger.subledger_totals(uow)}
        assert {k: v for k, v in gl.items() if v} == {k: v for k, v in sub.items() if v}
        below = s.execute(select(LedgerAccount.id).where(LedgerAccount.balance < LedgerAccount.floor)).all()
        assert below == []
        audit = security.verify_audit_chain(uow)
        assert audit.ok, audit.detail

    m.bank.run(read, readonly=True)


def _reconcile(m: Member, sim: Simulator, day: date) -> Any:
    return reconcile.reconcile_with_clearing(m.bank.run, m.bank.settings, m.clerk, day, client=sim.client)


def _open_exceptions(m: Member, day: date) -> list[Any]:
    page = m.bank.run(reconcile.list_exceptions, m.clerk, day=day, limit=500, readonly=True)
    return [e for e in page.items if e.status == "open"]


def _moved_alike(m: Member, sim: Simulator, start: dict[str, tuple[int, Decimal]]) -> None:
    cb0, sim0 = start[m.code]
    assert Decimal(central_bank(m.bank) - cb0) / 100 == sim.balance(m.code) - sim0


# ---------------------------------------------------------------- the tests


def test_two_days_of_payments_reconcile_to_zero_exceptions_and_zero_suspense(world: Any) -> None:
    a, b, sim, _out, start = world
    for m in (a, b):
        st = _statuses(m)
        assert sum(n for (d, _), n in st.items() if d == "out") == 2 * PAYMENTS_PER_DAY_EACH_WAY
        assert _unfinished(m) == 0, st
        assert st[("out", "rejected")] > 0 and st[("out", "returned")] > 0, st
        assert st[("in", "credited")] > 0 and st[("in", "returned")] > 0, st
        reasons = m.bank.run(
            lambda uow: Counter(
                uow.conn.execute(
                    select(interbank.ib.c.reason_code).where(
                        interbank.ib.c.direction == "in", interbank.ib.c.status == "returned"
                    )
                ).scalars()
            ),
            readonly=True,
        )
        assert {"AC01", "AC04", "AC06", "BE01"} <= set(reasons), reasons
        systems = m.bank.run(
            lambda uow: set(uow.conn.execute(select(interbank.ib.c.system).distinct()).scalars()),
            readonly=True,
        )
        assert systems == {"HVPS", "BEPS"}
        over_limit_on_beps = m.bank.run(
            lambda uow: uow.conn.execute(
                select(func.count()).where(interbank.ib.c.system == "BEPS", interbank.ib.c.amount > 5_000_000)
            ).scalar_one(),
            readonly=True,
        )
        assert over_limit_on_beps == 0  # above the BEPS single limit (50,000.00) everything went HVPS
        for day in (DAY1, DAY2):
            assert _statuses(m, day)[("out", "settled")] > 0, day  # both days carried payments
            result = _reconcile(m, sim, day)
            assert _open_exceptions(m, day) == []
            assert (result.status, result.exceptions, result.open_exceptions) == ("matched", 0, 0)
            assert result.rows_in_file == result.matched > 2 * PAYMENTS_PER_DAY_EACH_WAY * 0.9
            assert (result.suspense_balance, result.suspense_residual) == ("0.00", "0.00")
        assert _suspense(m) == 0
        _check_books(m)
        _moved_alike(m, sim, start)
    # What one bank settled out the other received, and what it returned came back.
    for payer, payee in ((a, b), (b, a)):
        out, inn = _statuses(payer), _statuses(payee)
        assert (
            out[("out", "settled")] + out[("out", "returned")]
            == inn[("in", "credited")] + inn[("in", "returned")]
        )
        assert out[("out", "returned")] == inn[("in", "returned")]


@cache
def _schema(name: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD_DIR / f"{name}.xsd"))


def _local(tag: str) -> str:
    return etree.QName(tag).localname


def test_every_message_the_banks_wrote_validates_and_names_accounts_the_domestic_way(world: Any) -> None:
    _a, _b, _sim, out, _start = world
    names = Counter(iso20022.message_name(xml) for xml in out.sent)
    assert set(names) == {"pacs.008.001.09", "pacs.004.001.10"}, names
    twelve = re.compile(r"^\d{12}$")
    for xml in out.sent:
        name = iso20022.message_name(xml)
        _schema(name).validate(xml)  # raises with the first error
        root = etree.fromstring(xml)
        accts = [
            e for e in root.iter() if isinstance(e.tag, str) and _local(e.tag) in ("DbtrAcct", "CdtrAcct")
        ]
        assert accts
        for acct in accts:
            ident = acct.find("{*}Id")
            assert [_local(c.tag) for c in ident] == ["Othr"], etree.tostring(acct)
            assert ident.findtext("{*}Othr/{*}Id")
        agents = [
            e
            for e in root.iter()
            if isinstance(e.tag, str) and _local(e.tag) in ("InstgAgt", "InstdAgt", "DbtrAgt", "CdtrAgt")
        ]
        assert agents
        for agent in agents:
            code = agent.findtext("{*}FinInstnId/{*}ClrSysMmbId/{*}MmbId")
            assert code is not None and twelve.match(code), etree.tostring(agent)


def test_a_lost_status_report_is_found_by_reconciliation_and_applying_clearing_resolves_it(
    world: Any,
) -> None:
    a, b, sim, out, start = world
    day = DAY3  # the banks' business date after the second end of day
    for m in (a, b):
        m.clock.at = TEN_AM[DAY3]
    paid = a.bank.run(
        interbank.send_interbank,
        a.teller,
        InterbankCreate(
            from_account=a.payers[0].number,
            creditor_bank_code=b.code,
            creditor_account=b.payers[0].number,
            creditor_name=b.payers[0].name,
            amount="1234.56",
        ),
        "tbr-lost-status",
    )
    assert paid.system == "BEPS" and paid.value_date == day
    inbound = sim.router.clients[a.host]
    sim.house.settings.reject_rate = 0.0  # this one must settle
    clearing_link.send_pending(a.bank, out)
    inbound.lose_next_status = True
    sim.settle_and_deliver()
    assert inbound.lost, "the simulator pushed no pacs.002 for the netted payment"
    status = a.bank.run(lambda uow: interbank._load(uow, paid.payment_id).status, readonly=True)
    assert status == "sent"  # the clearing house settled it; the bank never heard
    assert _suspense(a) == -123456
    assert _statuses(b, day)[("in", "credited")] == 1

    result = _reconcile(a, sim, day)
    found = _open_exceptions(a, day)
    assert [(e.kind, e.msg_type, e.direction, e.tx_id, e.bank_status, e.clearing_status) for e in found] == [
        ("status_mismatch", "pacs.008", "debit", paid.tx_id, "sent", "settled")
    ]
    assert (result.status, result.exceptions, result.suspense_residual) == ("exceptions", 1, "0.00")
    assert _reconcile(b, sim, day).exceptions == 0

    done = a.bank.run(reconcile.resolve, a.clerk, found[0].exception_id, "apply_clearing", "ACSC in the file")
    assert (done.status, done.resolution) == ("resolved", "apply_clearing") and done.entry_id
    assert a.bank.run(lambda uow: interbank._load(uow, paid.payment_id).status, readonly=True) == "settled"
    assert _suspense(a) == 0
    again = _reconcile(a, sim, day)
    assert (again.status, again.exceptions, again.open_exceptions) == ("matched", 0, 0)
    for m in (a, b):
        _check_books(m)
        _moved_alike(m, sim, start)
