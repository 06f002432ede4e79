"""Internet banking: an account's history searched by dates, amount and text and paged; its statement as CSV,
PDF and OFX; month statements; and nobody sees another customer's account."""

from __future__ import annotations

import io
from decimal import Decimal

from ofxtools.Parser import OFXTree

from corebank.bootstrap import Bank
from tests.factories import deposit
from tests.integration.pages.test_bank_support import customer

__all__ = ["customer"]


def test_the_history_shows_the_movements_newest_first_and_searches_by_amount_and_text(
    customer, bank: Bank, staff
) -> None:  # type: ignore[no-untyped-def]
    c = customer(balance="100.00")
    for amount in ("12.34", "250.00", "7777.77"):
        deposit(bank, staff["teller"].actor, c.account, amount)
    b = c.browser
    r = b.get(f"/bank/accounts/{c.account}")
    assert r.status_code == 200
    assert r.text.index("7,777.77") < r.text.index("250.00") < r.text.index("12.34")
    assert "8,140.11" in r.text  # the running balance after the last deposit
    r = b.get(f"/bank/accounts/{c.account}?min=200&max=300")
    assert "250.00" in r.text and "7,777.77" not in r.text and "12.34" not in r.text
    r = b.get(f"/bank/accounts/{c.account}?q=7777")
    assert "7,777.77" in r.text and "250.00" not in r.text
    r = b.get(f"/bank/accounts/{c.account}?from=2000-01-01&to=2000-01-31")
    assert r.status_code == 200 and "7,777.77" not in r.text


def test_the_history_is_paged(customer, bank: Bank, staff) -> None:  # type: ignore[no-untyped-def]
    c = customer(balance="")
    for n in range(1, 24):
        deposit(bank, staff["teller"].actor, c.account, f"{n}.01")
    b = c.browser
    first = b.get(f"/bank/accounts/{c.account}")
    assert "23.01" in first.text and "1.01 " not in first.text
    nxt = first.text.split('class="pager"')[1].split('href="')[1].split('"')[0].replace("&amp;", "&")
    second = b.get(nxt)
    assert "3.01" in second.text and "23.01" not in second.text
    # A filtered search pages too: amounts from 1 to 22 match 22 movements, 20 on the first page.
    r = b.get(f"/bank/accounts/{c.account}?min=1&max=22.5")
    assert r.text.count("<tr>") - 1 == 20 and "cursor=" in r.text


def test_a_bad_search_is_refused_with_its_code(customer) -> None:  # type: ignore[no-untyped-def]
    c = customer(balance="10.00")
    r = c.browser.get(f"/bank/accounts/{c.account}?min=abc")
    assert r.status_code == 422 and "INVALID_AMOUNT" in r.text
    r = c.browser.get(f"/bank/accounts/{c.account}?from=2026-03-10&to=2026-03-01")
    assert r.status_code == 422 and "INVALID_PERIOD" in r.text


def test_a_customer_cannot_see_or_download_another_customers_account(customer) -> None:  # type: ignore[no-untyped-def]
    mine, theirs = customer(balance="10.00"), customer(balance="20.00")
    r = mine.browser.get(f"/bank/accounts/{theirs.account}")
    assert r.status_code == 404 and "NOT_FOUND" in r.text and "20.00" not in r.text
    r = mine.browser.get(f"/bank/accounts/{theirs.account}/export?format=ofx&month=2026-03")
    assert r.status_code == 404 and "NOT_FOUND" in r.text
    r = mine.browser.get("/bank/accounts/0000000000000000")
    assert r.status_code == 404 and "NOT_FOUND" in r.text


def test_exports_as_csv_pdf_and_ofx_add_up(customer, bank: Bank, staff) -> None:  # type: ignore[no-untyped-def]
    c = customer(balance="1000.00")
    deposit(bank, staff["teller"].actor, c.account, "23.45")
    today = bank.run(lambda uow: uow.business_date, readonly=True)
    period = f"from={today.replace(day=1)}&to={today}"
    b = c.browser
    r = b.get(f"/bank/accounts/{c.account}/export?format=csv&{period}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "1023.45" in r.text
    r = b.get(f"/bank/accounts/{c.account}/export?format=pdf&{period}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = b.get(f"/bank/accounts/{c.account}/export?format=ofx&{period}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ofx")
    assert ".ofx" in r.headers["content-disposition"]
    tree = OFXTree()
    tree.parse(io.BytesIO(r.content))
    stmt = tree.convert().statements[0]
    assert stmt.account.acctid == c.account
    assert [t.trnamt for t in stmt.banktranlist] == [Decimal("1000.00"), Decimal("23.45")]
    assert {t.trntype for t in stmt.banktranlist} == {"CREDIT"}
    assert stmt.ledgerbal.balamt == Decimal("1023.45")
    r = b.get(f"/bank/accounts/{c.account}/export?format=xls&{period}")
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text


def test_the_statements_page_offers_each_month_in_three_formats(customer) -> None:  # type: ignore[no-untyped-def]
    c = customer(balance="10.00")
    r = c.browser.get("/bank/statements")
    assert r.status_code == 200
    assert f"/bank/accounts/{c.account}/export?format=ofx&amp;month=" in r.text
    link = r.text.split(f"/bank/accounts/{c.account}/export?format=csv&amp;month=")[1].split('"')[0]
    r = c.browser.get(f"/bank/accounts/{c.account}/export?format=csv&month={link}")
    assert r.status_code == 200 and "10.00" in r.text
