"""Clearing house fixtures: the simulator app on its own SQLite file with a settable clock, three member
banks, and a recording bank-side receiver that the simulator's deliveries reach over (in-process) HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from corebank import iso20022 as iso
from corebank.clearing import ClearingHouse, ClearingSettings, create_app, routed_deliverer
from corebank.clearing.models import ClearingBase

BANK_A = "313100000013"
BANK_B = "102100099996"
BANK_C = "105100000017"
TOKENS = {BANK_A: "token-bank-a-0001", BANK_B: "token-bank-b-0002", BANK_C: "token-bank-c-0003"}
HOSTS = {BANK_A: "bank-a.test", BANK_B: "bank-b.test", BANK_C: "bank-c.test"}
OPENING = {BANK_A: "1000000.00", BANK_B: "500000.00", BANK_C: "0.00"}
SETTLEMENT_DAY = date(2026, 3, 2)  # a Monday
# 10:00 in Beijing (UTC+8) on that Monday: HVPS is open.
MONDAY_10AM = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


class SettableClock:
    """A wall clock the test moves."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@dataclass
class Received:
    bank: str  # the bank code the delivery was addressed to (by host)
    token: str
    body: bytes

    @property
    def name(self) -> str:
        return iso.message_name(self.body)


@dataclass
class Receiver:
    """The inbound endpoint of every member bank: records what arrives; can be told to fail."""

    received: list[Received] = field(default_factory=list)
    fail_next: int = 0
    refused: int = 0

    def of(self, bank: str, name_prefix: str = "") -> list[Received]:
        return [r for r in self.received if r.bank == bank and r.name.startswith(name_prefix)]


def receiver_app(receiver: Receiver) -> FastAPI:
    by_host = {host: code for code, host in HOSTS.items()}
    app = FastAPI()

    @app.post("/api/v1/clearing/inbound")
    async def inbound(request: Request) -> Response:
        body = await request.body()
        if receiver.fail_next > 0:
            receiver.fail_next -= 1
            receiver.refused += 1
            return Response("busy", status_code=503)
        host = request.url.hostname or ""
        receiver.received.append(Received(by_host[host], request.headers["X-Clearing-Token"], body))
        return Response("ok")

    return app


@dataclass
class Clearing:
    client: TestClient
    house: ClearingHouse
    clock: SettableClock
    receiver: Receiver
    settings: ClearingSettings

    def post(self, xml: bytes, bank: str = BANK_A, token: str | None = None):  # type: ignore[no-untyped-def]
        return self.client.post(
            "/messages",
            content=xml,
            headers={"Content-Type": "application/xml", "X-Clearing-Token": token or TOKENS[bank]},
        )

    def send(self, xml: bytes, bank: str = BANK_A) -> iso.Pacs002:
        response = self.post(xml, bank)
        assert response.status_code == 200, response.text
        return iso.parse_pacs002(response.content)

    def balances(self) -> dict[str, Decimal]:
        listing = self.client.get("/participants", headers={"X-Clearing-Token": TOKENS[BANK_A]})
        return {p["code"]: Decimal(p["balance"]) for p in listing.json()}

    def settle_beps(self) -> dict[str, Any]:
        response = self.client.post("/admin/beps/settle")
        assert response.status_code == 200, response.text
        return response.json()

    def deliver(self) -> dict[str, int]:
        response = self.client.post("/admin/deliver")
        assert response.status_code == 200, response.text
        return response.json()

    def settlement_file(self, bank: str, day: date = SETTLEMENT_DAY) -> str:
        response = self.client.get(f"/settlement/{day}", headers={"X-Clearing-Token": TOKENS[bank]})
        assert response.status_code == 200, response.text
        return response.text


def clearing_database(tmp_path: Path) -> str:
    """A SQLite file of the test's own; or, when COREBANK_TEST_CLEARING_DATABASE_URL names a server database
    (e.g. PostgreSQL), that database with the simulator's tables dropped first."""
    url = os.environ.get("COREBANK_TEST_CLEARING_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'clearing.db'}"
    engine = create_engine(url)
    ClearingBase.metadata.drop_all(engine)
    engine.dispose()
    return url


def clearing_settings(tmp_path: Path, **overrides: object) -> ClearingSettings:
    values: dict[str, object] = {
        "database_url": clearing_database(tmp_path),
        "beps_interval_seconds": 0,
        "delivery_interval_seconds": 0,
    }
    values.update(overrides)
    return ClearingSettings(**values)  # type: ignore[arg-type]


def build_clearing(tmp_path: Path, **overrides: object) -> Clearing:
    receiver = Receiver()
    clock = SettableClock(MONDAY_10AM)
    settings = clearing_settings(tmp_path, **overrides)
    bank_side = TestClient(receiver_app(receiver))
    deliver = routed_deliverer({f"http://{host}": bank_side for host in HOSTS.values()})
    app = create_app(settings, deliver=deliver, clock=clock)
    client = TestClient(app)
    admin = {"X-Clearing-Admin-Token": settings.admin_token} if settings.admin_token else {}
    for code in (BANK_A, BANK_B, BANK_C):
        response = client.post(
            "/participants",
            json={
                "code": code,
                "name": f"Bank {HOSTS[code]}",
                "url": f"http://{HOSTS[code]}",
                "token": TOKENS[code],
                "balance": OPENING[code],
            },
            headers=admin,
        )
        assert response.status_code == 201, response.text
    return Clearing(client, app.state.house, clock, receiver, settings)


@pytest.fixture
def clearing(tmp_path: Path) -> Iterator[Clearing]:
    c = build_clearing(tmp_path)
    yield c
    c.house.close()


def party(bank: str, name: str = "王小明", account: str = "6222020200112233445") -> iso.Party:
    return iso.Party(name, account, bank)


_seq = iter(range(1, 10**9))


def transfer(
    amount: str, *, debtor_bank: str = BANK_A, creditor_bank: str = BANK_B, tx_id: str | None = None
) -> iso.CreditTransfer:
    n = next(_seq)
    return iso.CreditTransfer(
        tx_id=tx_id or f"TX{n:010d}",
        end_to_end_id=f"E2E{n:010d}",
        amount=Decimal(amount),
        currency="CNY",
        debtor=party(debtor_bank, "王小明", "6222020200112233445"),
        creditor=party(creditor_bank, "Li Hua", "6217000010002000300"),
        remittance="March rent",
    )


def pacs008(
    *transfers: iso.CreditTransfer,
    system: str = iso.HVPS,
    sender: str = BANK_A,
    msg_id: str | None = None,
    day: date = SETTLEMENT_DAY,
) -> bytes:
    return iso.build_pacs008(
        iso.Pacs008(
            msg_id=msg_id or f"MSG{next(_seq):010d}",
            created_at=MONDAY_10AM,
            settlement_date=day,
            system=system,
            instructing_agent=sender,
            instructed_agent=iso.CLEARING_BANK_CODE,
            transactions=transfers,
        )
    )


def pacs004(
    original: iso.CreditTransfer,
    *,
    amount: str | None = None,
    sender: str = BANK_B,
    return_id: str | None = None,
    reason: str = "AC01",
    day: date = SETTLEMENT_DAY,
) -> bytes:
    return iso.build_pacs004(
        iso.Pacs004(
            msg_id=f"RMSG{next(_seq):010d}",
            created_at=MONDAY_10AM,
            settlement_date=day,
            instructing_agent=sender,
            instructed_agent=iso.CLEARING_BANK_CODE,
            returns=(
                iso.PaymentReturn(
                    return_id=return_id or f"RTR{next(_seq):010d}",
                    original_msg_id="CLR-as-the-receiver-saw-it",
                    original_tx_id=original.tx_id,
                    original_end_to_end_id=original.end_to_end_id,
                    amount=Decimal(amount) if amount else original.amount,
                    currency="CNY",
                    reason=reason,
                    debtor=original.debtor,
                    creditor=original.creditor,
                ),
            ),
        )
    )


def table_counts(house: ClearingHouse) -> dict[str, int]:
    """Rows in each of the simulator's tables, to show a refused request changed nothing."""
    from sqlalchemy import text

    with house.engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one())
            for t in (
                "clearing_messages",
                "clearing_transactions",
                "clearing_deliveries",
                "clearing_beps_batches",
            )
        }
