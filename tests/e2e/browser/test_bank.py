"""Internet banking in a real browser over the demo bank: demo02 signs in with the code from the development
SMS outbox, transfers to demo03 over the signing threshold with the SMS transaction code, finds the transfer
in the history and downloads the statement as OFX, which ofxtools reads back; the same bank on a phone."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ofxtools.Parser import OFXTree

from tests.e2e.browser.conftest import DEMO_PASSWORD


def _sign_in(
    page: Any, live_url: str, who: dict[str, Any], sms_code: Any, axe: Any = None, shot: Any = None
) -> None:
    page.goto("/bank/login")
    if axe is not None:
        assert axe(page) == []
    if shot is not None:
        shot(page, "bank-login")
    form = page.locator("form[action='/bank/login']")
    form.locator("input[name=username]").fill(who["login"])
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(live_url) + r"/bank/login/code$"))
    if axe is not None:
        assert axe(page) == []
    page.locator("input[name=code]").fill(sms_code(who["phone"]))
    page.locator("form[action='/bank/login/code'] button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(live_url) + r"/bank$"))


def _available(page: Any) -> Decimal:
    text = page.locator("#f-from_account option:checked").inner_text()
    return Decimal(text.split("·")[1].strip().split()[0].replace(",", ""))


def test_a_customer_signs_in_transfers_with_a_signing_code_and_downloads_ofx(
    page: Any, live_url: str, demo: dict[str, Any], sms_code: Any, axe: Any, shot: Any
) -> None:
    me, payee = demo["customers"][1], demo["customers"][2]
    _sign_in(page, live_url, me, sms_code, axe, shot)
    assert me["account"] in page.content()
    assert axe(page) == []
    shot(page, "bank-home")

    page.goto(f"/bank/transfers?from_account={me['account']}")
    assert axe(page) == []
    amount = Decimal(
        "5000.01"
    )  # over the signing threshold (5,000.00): the SMS transaction code is asked for
    assert _available(page) > amount, "demo02's account must hold enough for a signed transfer"
    page.locator("#f-to_account").fill(payee["account"])
    page.locator("#f-amount").fill(str(amount))
    page.locator("#f-memo").fill("browser test")
    page.locator("form[action='/bank/transfers/quote'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/bank/transfers/quote$"))
    assert "Confirm the transfer" in page.content()
    assert axe(page) == []
    code_field = page.locator("input[name=code]")
    assert code_field.is_visible()
    code_field.fill(sms_code(me["phone"]))
    shot(page, "bank-transfer-confirm")
    page.locator("form[action='/bank/transfers/confirm'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/bank/transfers/confirm$"))
    ref = page.locator(".transfer-ref").inner_text()
    assert re.fullmatch(r"T\d+", ref)
    assert "Transfer done" in page.content()
    assert axe(page) == []

    page.goto(f"/bank/accounts/{me['account']}?q=browser+test")
    history = page.content()
    assert "browser test" in history and f"{amount:,}" in history
    assert axe(page) == []
    page.goto(f"/bank/accounts/{me['account']}")
    shot(page, "bank-history")
    with page.expect_download() as info:
        page.locator("a[href*='format=ofx']").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".ofx")
    data = Path(download.path()).read_bytes()
    tree = OFXTree()
    tree.parse(io.BytesIO(data))
    stmt = tree.convert().statements[0]
    assert stmt.account.acctid == me["account"]
    amounts = [t.trnamt for t in stmt.banktranlist]
    assert -amount in amounts
    assert any(t.memo == "browser test" and t.trntype == "DEBIT" for t in stmt.banktranlist)
    assert stmt.ledgerbal.balamt >= 0

    for path in (
        "/bank/statements",
        "/bank/payees",
        "/bank/deposits",
        "/bank/loans",
        "/bank/bills",
        "/bank/cards",
        "/bank/limits",
        "/bank/settings",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert axe(page) == [], path
    page.locator("form[action='/bank/logout'] button").click()
    page.wait_for_url(re.compile(r"/bank/login$"))


def test_the_bank_on_a_phone_in_chinese(
    mobile_page: Any, live_url: str, demo: dict[str, Any], sms_code: Any, axe: Any, shot: Any
) -> None:
    me = demo["customers"][0]
    mobile_page.goto("/bank/enroll?lang=zh_CN")
    assert axe(mobile_page) == []
    mobile_page.goto("/bank/login?lang=zh_CN")
    _sign_in(mobile_page, live_url, me, sms_code)
    assert "我的账户" in mobile_page.content()
    assert axe(mobile_page) == []
    # Nothing is wider than the phone: no sideways scrolling of the page itself.
    width = mobile_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    shot(mobile_page, "bank-mobile-home")
    mobile_page.goto(f"/bank/accounts/{me['account']}")
    assert axe(mobile_page) == []
    assert mobile_page.evaluate("() => document.documentElement.scrollWidth") <= 390
