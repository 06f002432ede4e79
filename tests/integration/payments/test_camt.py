"""ISO 20022 account reports: camt.053 statements and camt.054 notifications of a funded account with
several movements (cash, an internal transfer both ways, an interbank payment out), through the service,
over REST as a teller, and on the command line; branch scope and period rules, refused without a trace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from corebank import accounts, iso20022, ledger, payments
from corebank.accounts.models import DepositAccount
from corebank.bootstrap import Bank
from corebank.cli.main import app as cli_app
from corebank.kernel.errors import NotFound, OutOfScope, PermissionDenied
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.payments import camt, interbank
from corebank.security import make_actor
from tests.e2e.http.support import assert_problem
from tests.factories import Staff, deposit, funded_account, ledger_state

API = "/api/v1/accounts"
PAYEE_BANK = "105100000017"


@dataclass(frozen=True)
class Booked:
    number: str
    other: str
    day: date
    entries: tuple[int, ...]  # the entries booked on `number`, oldest first
    interbank_entry: int


def _pay_out(uow: Any, number: str, amount: str) -> int:
    """An interbank payment out of `number` funded the way bulk files and standing orders fund theirs."""
    acc = uow.session.execute(select(DepositAccount).where(DepositAccount.number == number)).scalar_one()
    money = Money.of(amount, acc.currency)
    posted = ledger.post(
        uow,
        EntryDraft(
            "interbank_out",
            (
                Leg.debit(acc.gl_code, acc.branch_code, money, acc.id, "to 王五 at another bank"),
                Leg.credit(chart.CLEARING_SUSPENSE, acc.branch_code, money),
            ),
            memo="跨行汇款 to 王五",
        ),
        by="teller",
        channel="counter",
    )
    interbank.record_funded_outbound(
        uow,
        by="teller",
        channel="counter",
        payer_account_id=acc.id,
        payer_account=acc.number,
        payer_name=acc.name,
        branch_code=acc.branch_code,
        creditor_bank_code=PAYEE_BANK,
        creditor_account="6217000033334444",
        creditor_name="王五",
        amount=money,
        end_to_end_id=f"CAMT-{posted.id}",
        funding_entry_id=posted.id,
    )
    return posted.id


@pytest.fixture(scope="module")
def booked(bank: Bank, staff: Staff) -> Booked:
    teller = staff["teller"].actor
    acc = funded_account(bank, teller, "1000.00")
    other = funded_account(bank, teller, "500.00")
    entries = [0]
    entries.append(deposit(bank, teller, acc.number, "234.56").entry_id)
    out = bank.run(
        payments.transfer,
        teller,
        payments.TransferCreate(
            from_account=acc.number, to_account=other.number, amount="100.00", memo="房租"
        ),
        f"camt-{acc.number}-1",
    )
    back = bank.run(
        payments.transfer,
        teller,
        payments.TransferCreate(from_account=other.number, to_account=acc.number, amount="0.01"),
        f"camt-{acc.number}-2",
    )
    interbank_entry = bank.run(_pay_out, acc.number, "88.88")
    lines = bank.run(lambda uow: accounts.history(uow, teller, acc.number, limit=50).items, readonly=True)
    entries = [t.entry_id for t in reversed(lines)]
    assert out.entry_id in entries and back.entry_id in entries
    day = bank.run(lambda uow: uow.business_date, readonly=True)
    return Booked(acc.number, other.number, day, tuple(entries), interbank_entry)


def _xsd(name: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(iso20022.xsd_path(name)))


def test_camt053_adds_up_and_lists_every_ledger_line(bank: Bank, staff: Staff, booked: Booked) -> None:
    teller = staff["teller"].actor
    xml = bank.run(camt.camt053, teller, booked.number, booked.day, booked.day)
    _xsd(iso20022.CAMT053).validate(xml)
    stmt = iso20022.parse_camt053(xml)
    assert (stmt.account_number, stmt.currency, stmt.bank_code) == (
        booked.number,
        "CNY",
        bank.settings.bank_code,
    )
    assert (stmt.date_from, stmt.date_to) == (booked.day, booked.day)
    assert stmt.opening_balance == Decimal("0")
    signed = [line.amount if line.credit else -line.amount for line in stmt.lines]
    assert signed == [Decimal(x) for x in ("1000.00", "234.56", "-100.00", "0.01", "-88.88")]
    assert stmt.opening_balance + sum(signed) == stmt.closing_balance == Decimal("1045.69")
    ledger_lines = bank.run(
        lambda uow: accounts.history(uow, teller, booked.number, limit=50).items, readonly=True
    )
    assert [line.entry_id for line in stmt.lines] == [str(t.entry_id) for t in reversed(ledger_lines)]
    assert all(line.booking_date == line.value_date == booked.day for line in stmt.lines)
    assert stmt.lines[2].narrative == "房租"
    account = bank.run(accounts.get_account, teller, booked.number, readonly=True)
    assert Decimal(account.balance) == stmt.closing_balance


def test_interbank_lines_name_the_counterparty(bank: Bank, staff: Staff, booked: Booked) -> None:
    xml = bank.run(camt.camt053, staff["teller"].actor, booked.number, booked.day, booked.day)
    line = iso20022.parse_camt053(xml).lines[-1]
    assert line.entry_id == str(booked.interbank_entry)
    assert (line.credit, line.amount, line.kind) == (False, Decimal("88.88"), "interbank_out")
    assert line.counterparty == iso20022.Party("王五", "6217000033334444", PAYEE_BANK)
    assert line.end_to_end_id == f"CAMT-{booked.interbank_entry}"


def test_a_later_period_opens_and_closes_at_the_balance(bank: Bank, staff: Staff, booked: Booked) -> None:
    later = booked.day + timedelta(days=1)
    xml = bank.run(camt.camt053, staff["accountant"].actor, booked.number, later, later + timedelta(days=30))
    stmt = iso20022.parse_camt053(xml)
    assert stmt.lines == ()
    assert stmt.opening_balance == stmt.closing_balance == Decimal("1045.69")


def test_camt054_notifies_one_entry(bank: Bank, staff: Staff, booked: Booked) -> None:
    deposit_entry = booked.entries[1]
    xml = bank.run(camt.camt054, staff["teller"].actor, booked.number, deposit_entry)
    _xsd(iso20022.CAMT054).validate(xml)
    note = iso20022.parse_camt054(xml)
    assert note.account_number == booked.number
    assert [(x.entry_id, x.credit, x.amount) for x in note.lines] == [
        (str(deposit_entry), True, Decimal("234.56"))
    ]


def test_camt054_of_an_entry_not_on_the_account_is_404(bank: Bank, staff: Staff, booked: Booked) -> None:
    teller = staff["teller"].actor
    other_only = bank.run(
        lambda uow: accounts.history(uow, teller, booked.other, limit=50).items[-1].entry_id, readonly=True
    )
    for entry_id in (other_only, 10**9):
        with pytest.raises(NotFound) as caught:
            bank.run(camt.camt054, teller, booked.number, entry_id)
        assert caught.value.code == "ENTRY_NOT_ON_ACCOUNT"


def test_refusals_change_nothing(bank: Bank, staff: Staff, booked: Booked) -> None:
    before = ledger_state(bank)
    d = booked.day
    with pytest.raises(OutOfScope):
        bank.run(camt.camt053, staff["east_teller"].actor, booked.number, d, d)
    with pytest.raises(camt.InvalidPeriod):
        bank.run(camt.camt053, staff["teller"].actor, booked.number, d, d - timedelta(days=1))
    with pytest.raises(camt.InvalidPeriod):
        bank.run(camt.camt053, staff["teller"].actor, booked.number, d - timedelta(days=400), d)
    with pytest.raises(NotFound):
        bank.run(camt.camt053, staff["teller"].actor, "999999999999999", d, d)
    nobody = make_actor("nobody", 0, (), "0001", bank.branch_tree())
    with pytest.raises(PermissionDenied):
        bank.run(camt.camt053, nobody, booked.number, d, d)
    assert ledger_state(bank) == before


# ---------------------------------------------------------------- REST


def test_camt053_over_http_as_a_teller(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
    booked: Booked,
) -> None:
    day = booked.day.isoformat()
    r = app_client.get(
        f"{API}/{booked.number}/camt053", params={"from": day, "to": day}, headers=auth("teller")
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    assert f'filename="camt053-{booked.number}-{day}-{day}.xml"' in r.headers["content-disposition"]
    _xsd(iso20022.CAMT053).validate(r.content)
    assert iso20022.parse_camt053(r.content).closing_balance == Decimal("1045.69")
    r = app_client.get(
        f"{API}/{booked.number}/camt054", params={"entry_id": booked.interbank_entry}, headers=auth("teller")
    )
    assert r.status_code == 200, r.text
    assert iso20022.parse_camt054(r.content).lines[0].counterparty is not None


def test_http_refusals(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
    booked: Booked,
) -> None:
    day = booked.day.isoformat()
    url = f"{API}/{booked.number}/camt053"
    assert_problem(
        app_client.get(url, params={"from": day, "to": day}, headers=auth("east_teller")),
        403,
        "OUT_OF_BRANCH_SCOPE",
    )
    assert_problem(
        app_client.get(url, params={"from": day, "to": "2000-01-01"}, headers=auth("teller")),
        422,
        "INVALID_PERIOD",
    )
    assert_problem(
        app_client.get(url, params={"from": "yesterday", "to": day}, headers=auth("teller")),
        422,
        "INVALID_PERIOD",
    )
    assert_problem(app_client.get(url, params={"to": day}, headers=auth("teller")), 422, "INVALID_PERIOD")
    r = app_client.get(
        f"{API}/999999999999999/camt053", params={"from": day, "to": day}, headers=auth("teller")
    )
    assert r.status_code == 404
    r = app_client.get(url, params={"from": day, "to": day})
    assert r.status_code == 401
    assert_problem(
        app_client.get(f"{API}/{booked.number}/camt054", params={"entry_id": 10**9}, headers=auth("teller")),
        404,
        "ENTRY_NOT_ON_ACCOUNT",
    )


# ---------------------------------------------------------------- command line


def test_cli_writes_the_statement(
    bank: Bank, booked: Booked, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COREBANK_DATABASE_URL", bank.settings.database_url)
    out = tmp_path / "stmt.xml"
    day = booked.day.isoformat()
    args = [
        "payment",
        "camt053",
        booked.number,
        "--from",
        day,
        "--to",
        day,
        "-o",
        str(out),
        "--as-user",
        "teller",
    ]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    assert iso20022.parse_camt053(out.read_bytes()).closing_balance == Decimal("1045.69")
    refused = CliRunner().invoke(
        cli_app, ["payment", "camt053", booked.number, "--from", day, "--to", day, "--as-user", "east_teller"]
    )
    assert refused.exit_code == 2 and "OUT_OF_BRANCH_SCOPE" in refused.output
    refused = CliRunner().invoke(cli_app, ["payment", "camt053", booked.number, "--from", day, "--to", "x"])
    assert refused.exit_code == 2 and "INVALID_PERIOD" in refused.output
