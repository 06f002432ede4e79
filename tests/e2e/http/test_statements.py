"""Statements over REST: GET /api/v1/accounts/{number}/statement as CSV and PDF for a month or a period,
opening and closing balances, running balances, interest lines; period and format errors; branch scope."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from corebank import ledger
from corebank.accounts.models import DepositAccount
from corebank.bootstrap import Bank
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from tests.e2e.http.support import assert_problem
from tests.factories import Staff, deposit, funded_account

API = "/api/v1"


def _book_interest(uow: Any, number: str, amount: str) -> None:
    acc = uow.session.execute(select(DepositAccount).where(DepositAccount.number == number)).scalar_one()
    money = Money.of(amount, acc.currency)
    ledger.post(
        uow,
        EntryDraft(
            "interest_settlement",
            (
                Leg.debit(chart.INTEREST_PAYABLE, acc.branch_code, money),
                Leg.credit(acc.gl_code, acc.branch_code, money, acc.id),
            ),
            memo="demand deposit interest",
        ),
        by="system",
        channel="system",
    )


@dataclass(frozen=True)
class Booked:
    number: str  # 1000.00 and 234.56 paid in, then 0.87 interest, all on `day`
    day: date


@pytest.fixture(scope="module")
def booked(bank: Bank, staff: Staff) -> Booked:
    teller = staff["teller"].actor
    acc = funded_account(bank, teller, "1000.00")
    deposit(bank, teller, acc.number, "234.56")
    bank.run(_book_interest, acc.number, "0.87")
    day = bank.run(lambda uow: uow.business_date, readonly=True)
    return Booked(acc.number, day)


def url(number: str) -> str:
    return f"{API}/accounts/{number}/statement"


def test_month_statement_as_csv_by_default_adds_up(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
    booked: Booked,
) -> None:
    month = booked.day.strftime("%Y-%m")
    r = app_client.get(url(booked.number), params={"month": month}, headers=auth("teller"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert f'filename="statement-{booked.number}-{month}-01-' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [x["record"] for x in rows] == ["opening", "line", "line", "line", "totals", "interest", "closing"]
    opening, closing = rows[0], rows[-1]
    assert opening["balance"] == "0.00"
    assert closing["balance"] == "1235.43"
    running = Decimal(opening["balance"])
    for line in rows[1:4]:
        running += Decimal(line["credit"] or "0") - Decimal(line["debit"] or "0")
        assert Decimal(line["balance"]) == running
    assert running == Decimal(closing["balance"])
    assert [x["credit"] for x in rows[1:4]] == ["1000.00", "234.56", "0.87"]
    assert [(x["type"], x["interest"]) for x in rows[1:4]][-1] == ("interest_settlement", "yes")
    assert (rows[4]["credit"], rows[4]["debit"]) == ("1235.43", "0.00")
    assert rows[5]["credit"] == "0.87"


def test_statement_as_pdf_shows_account_balances_and_lines(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
    booked: Booked,
) -> None:
    first = booked.day.replace(day=1)
    r = app_client.get(
        url(booked.number),
        params={"from": first.isoformat(), "to": booked.day.isoformat(), "format": "pdf"},
        headers=auth("teller"),
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].endswith('.pdf"')
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.content)).pages)
    for expected in (
        booked.number,
        "Opening balance",
        "0.00",
        "Closing balance",
        "1235.43",
        "234.56",
        "[Interest]",
    ):
        assert expected in text, (expected, text)


def test_period_after_the_movements_opens_and_closes_at_the_balance(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
    booked: Booked,
) -> None:
    later = booked.day + timedelta(days=1)
    params = {"from": later.isoformat(), "to": (later + timedelta(days=30)).isoformat()}
    r = app_client.get(url(booked.number), params=params, headers=auth("supervisor"))
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [x["record"] for x in rows] == ["opening", "totals", "interest", "closing"]
    assert rows[0]["balance"] == rows[-1]["balance"] == "1235.43"
    pdf = app_client.get(url(booked.number), params={**params, "format": "pdf"}, headers=auth("supervisor"))
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "1235.43" in text and "No transactions in this period" in text


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-03-31", "to": "2026-03-01"}, "INVALID_PERIOD"),
        ({"from": "2026-01-01", "to": "2027-01-02"}, "INVALID_PERIOD"),
        ({"month": "2026-13"}, "INVALID_PERIOD"),
        ({"month": "2026-03", "from": "2026-03-01", "to": "2026-03-02"}, "INVALID_PERIOD"),
        ({"from": "2026-03-01"}, "INVALID_PERIOD"),
        ({}, "INVALID_PERIOD"),
        ({"from": "yesterday", "to": "2026-03-02"}, "INVALID_PERIOD"),
        ({"month": "2026-03", "format": "xlsx"}, "INVALID_REQUEST"),
    ],
)
def test_bad_period_or_format_is_a_clear_422(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
    booked: Booked,
    params: dict[str, str],
    code: str,
) -> None:
    body = assert_problem(
        app_client.get(url(booked.number), params=params, headers=auth("teller")), 422, code
    )
    assert body["detail"]


def test_statement_needs_login_branch_scope_and_a_real_account(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
    booked: Booked,
) -> None:
    params = {"month": booked.day.strftime("%Y-%m")}
    assert_problem(app_client.get(url(booked.number), params=params), 401, "NOT_AUTHENTICATED")
    assert_problem(
        app_client.get(url(booked.number), params=params, headers=auth("east_teller")),
        403,
        "OUT_OF_BRANCH_SCOPE",
    )
    assert_problem(
        app_client.get(url("000101999999990"), params=params, headers=auth("teller")),
        404,
        "ACCOUNT_NOT_FOUND",
    )
    # The older CSV export keeps working beside the new statement.
    old = app_client.get(f"{API}/accounts/{booked.number}/statement.csv", headers=auth("teller"))
    assert old.status_code == 200 and old.text.startswith("booking_date,")
