"""Helpers shared by the interbank tests: balances, GL positions, direct step calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corebank import accounts, iso20022, ledger
from corebank.bootstrap import Bank
from corebank.clearing.app import create_app as create_clearing_app
from corebank.clearing.config import ClearingSettings
from corebank.ledger import chart
from corebank.ledger.models import JournalLine
from corebank.payments import interbank
from corebank.security import SYSTEM
from corebank.web.app import create_app

OTHER_BANK = "102100099996"


def balance(bank: Bank, number: str) -> str:
    """The account's ledger balance as text."""
    return bank.run(accounts.get_account, SYSTEM, number, readonly=True).balance  # type: ignore[no-any-return]


def gl_total(bank: Bank, gl_code: str) -> int:
    """The signed sum of all journal lines on `gl_code` (minor units, debit positive), every branch."""

    def read(uow: Any) -> int:
        q = select(func.coalesce(func.sum(JournalLine.amount), 0)).where(JournalLine.gl_code == gl_code)
        return int(uow.conn.execute(q).scalar_one())

    return bank.run(read, readonly=True)  # type: ignore[no-any-return]


def suspense(bank: Bank) -> int:
    return gl_total(bank, chart.CLEARING_SUSPENSE)


def central_bank(bank: Bank) -> int:
    return gl_total(bank, chart.DUE_FROM_CENTRAL_BANK)


def row(bank: Bank, payment_id: int) -> Any:
    return bank.run(lambda uow: interbank._load(uow, payment_id), readonly=True)


def step(bank: Bank, fn: Any, payment_id: int, *args: Any, **kwargs: Any) -> bool:
    """Apply a clearing step (mark_settled, mark_rejected ...) to a payment as the clearing link would."""

    def work(uow: Any) -> bool:
        return bool(fn(uow, SYSTEM, interbank._load(uow, payment_id), *args, **kwargs))

    return bank.run(work)  # type: ignore[no-any-return]


def trial_balanced(bank: Bank) -> bool:
    return bank.run(lambda uow: ledger.trial_balance(uow).balanced, readonly=True)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- the clearing house simulator in-process


class FixedClock:
    """A wall clock standing still (aware UTC)."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at


class Router:
    """Routes the simulator's deliveries to in-process apps by URL host; counts what each host was sent."""

    def __init__(self) -> None:
        self.clients: dict[str, Any] = {}
        self.received: dict[str, list[bytes]] = {}

    def add(self, host: str, client: Any) -> str:
        self.clients[host] = client
        self.received[host] = []
        return f"http://{host}"

    def __call__(self, url: str, body: bytes, token: str) -> int:
        host = urlsplit(url).hostname or ""
        self.received[host].append(body)
        client = self.clients[host]
        if client is None:
            return 200  # a bank that only listens
        r = client.post(
            url, content=body, headers={"Content-Type": "application/xml", "X-Clearing-Token": token}
        )
        return int(r.status_code)


@dataclass
class Simulator:
    app: Any
    client: TestClient
    router: Router

    @property
    def house(self) -> Any:
        return self.app.state.house

    def balance(self, code: str) -> Decimal:
        return Decimal(self.house.participant(code).balance)

    def settle_and_deliver(self) -> None:
        """A BEPS netting cycle, then every delivery pushed (twice: returns that deliveries caused)."""
        self.house.settle_beps()
        self.house.deliver_pending()


def simulator(tmp: Path, **settings: Any) -> Simulator:
    """The clearing house app on its own SQLite file, with no background loops (tests drive it)."""
    router = Router()
    cfg = ClearingSettings(
        database_url=f"sqlite:///{tmp / 'clearing.db'}",
        hvps_always_open=True,
        beps_interval_seconds=0,
        delivery_interval_seconds=0,
        **settings,
    )
    app = create_clearing_app(cfg, deliver=router)
    return Simulator(app, TestClient(app, base_url="http://clearing"), router)


def join(sim: Simulator, bank: Bank, host: str, balance: str = "100000000.00") -> None:
    """Make `bank` a participant whose deliveries reach its app in-process."""
    url = sim.router.add(host, TestClient(create_app(bank), base_url=f"http://{host}"))
    s = bank.settings
    sim.house.add_participant(s.bank_code, s.bank_name, url, s.clearing_token, balance)


def other_bank_sends(sim: Simulator, code: str, token: str, msg: Any) -> Any:
    """Another participant (no CoreBank behind it) sends a pacs.008 or pacs.004 to clearing."""
    xml = iso20022.build_pacs008(msg) if isinstance(msg, iso20022.Pacs008) else iso20022.build_pacs004(msg)
    r = sim.client.post("/messages", content=xml, headers={"X-Clearing-Token": token})
    assert r.status_code == 200, r.text
    return iso20022.parse_pacs002(r.content)
