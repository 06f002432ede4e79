"""The teller counter in a real browser: a teller opens a customer and an account, pays cash in using only the
keyboard, opens the voucher and its PDF, then asks for a large withdrawal that a supervisor, signed in in a
second browser, approves; the teller then sees it posted with its voucher."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from pypdf import PdfReader

from corebank.customers import make_resident_id
from tests.e2e.browser.conftest import DEMO_SUPERVISOR, DEMO_TELLER

Axe = Callable[[Any], list[dict[str, Any]]]
Shot = Callable[[Any, str], Any]


def _open_till_if_needed(page: Any) -> None:
    page.goto("/console/till")
    if page.locator("form[action='/console/till/open']").count():
        page.fill("#f-opening_cash", "100000.00")
        page.locator("form[action='/console/till/open'] button[type=submit]").click()
        page.wait_for_selector("#till-balance")
    assert page.locator("form[action$='/close']").count() == 1, "the teller's till is open for today"


def test_a_teller_serves_a_customer_and_a_supervisor_authorizes_a_large_withdrawal(
    page: Any, browser: Any, live_url: str, console_login: Any, axe: Axe, shot: Shot
) -> None:
    console_login(page, DEMO_TELLER)
    _open_till_if_needed(page)
    assert axe(page) == []

    # A new customer (the resident ID is checked by the service) and a Type I account.
    rng = random.Random()
    id_number = make_resident_id("110100", date(1985, 5, 17), rng.randint(100, 999))
    page.goto("/console/customers/new")
    assert axe(page) == []
    page.fill("#f-name", "Browser Customer")
    page.fill("#f-id_number", id_number)
    page.fill("#f-phone", f"137{rng.randint(0, 99_999_999):08d}")
    page.locator("form[action='/console/customers/new'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/console/customers/8\d+$"))
    assert id_number not in page.content()
    page.locator("form[action$='/accounts'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/console/accounts/\d+$"))
    account = page.url.rsplit("/", 1)[1]
    page.goto(page.locator("a[href^='/console/customers/8']").first.get_attribute("href"))
    assert account in page.content()
    assert axe(page) == []
    shot(page, "console-customer")

    # Cash in with the keyboard only: the account field has the focus, Tab to the amount, Enter posts.
    page.goto("/console/cash/deposit")
    assert page.evaluate("document.activeElement.id") == "f-account"
    assert axe(page) == []
    page.keyboard.type(account)
    page.keyboard.press("Tab")
    page.keyboard.type("80000.00")
    shot(page, "console-counter-deposit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/console/vouchers/[^/]+$"))
    serial = page.locator("#voucher-serial").inner_text().strip()
    assert re.fullmatch(r"\d{4}-\d{8}-\d{6}", serial)
    assert account in page.content() and "捌万元整" in page.content()
    assert axe(page) == []
    shot(page, "console-voucher")

    pdf_href = page.locator("#voucher-pdf").get_attribute("href")
    pdf = page.request.get(pdf_href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert serial in text and "80000.00" in text

    # A withdrawal at the threshold waits for a supervisor.
    page.goto(f"/console/cash/withdraw?account={account}")
    page.fill("#f-amount", "60000.00")
    page.locator("#f-amount").press("Enter")
    page.wait_for_url(re.compile(r".*/console/cash/pending/\d+$"))
    approval_id = page.url.rsplit("/", 1)[1]
    assert page.locator("#approval-status").get_attribute("class") == "badge badge-pending"
    assert axe(page) == []

    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_url, locale="en-US")
    try:
        sup = context.new_page()
        console_login(sup, DEMO_SUPERVISOR, next="/console/approvals")
        assert sup.locator(f"#approval-{approval_id}").count() == 1
        assert axe(sup) == []
        shot(sup, "console-approvals")
        sup.locator(f"#approve-{approval_id}").click()
        sup.wait_for_selector(".alert.ok")
        assert sup.locator(f"#approve-{approval_id}").count() == 0
    finally:
        context.close()

    # The teller's waiting page turns into "posted" (htmx polls it) with the voucher.
    page.wait_for_selector("#approval-status.badge-executed", timeout=15_000)
    page.locator("a[href^='/console/vouchers/']").first.click()
    page.wait_for_url(re.compile(r".*/console/vouchers/[^/]+$"))
    assert "20,000.00" in page.content() and "陆万元整" in page.content()
