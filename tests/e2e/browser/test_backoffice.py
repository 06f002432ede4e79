"""Back office in a real browser over the demo bank: a fee changed by the channel manager is what a teller sees
and quotes at once, and the back-office pages pass axe-core's critical checks (with screenshots)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.browser.conftest import DEMO_ADMIN, DEMO_CHANNEL_MANAGER, DEMO_TELLER

Axe = Callable[[Any], list[dict[str, Any]]]
Shot = Callable[[Any, str], Any]


def test_a_fee_changed_by_the_channel_manager_is_seen_by_the_teller(
    page: Any, browser: Any, live_url: str, console_login: Callable[..., None]
) -> None:
    console_login(page, DEMO_CHANNEL_MANAGER, next="/console/channels")
    form = page.locator("#fee-form")
    form.locator("input[name=tx_type]").fill("cheque_book")
    form.locator("select[name=channel]").select_option("counter")
    form.locator("select[name=tier]").select_option("*")
    form.locator("input[name=branch_code]").fill("*")
    form.locator("input[name=band_upto]").fill("")
    form.locator("input[name=fixed_fee]").fill("12.34")
    form.locator("input[name=rate]").fill("0")
    form.locator("input[name=cap]").fill("")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert.ok").is_visible()
    row = page.locator("#fee-table tr", has=page.locator("code", has_text="cheque_book"))
    assert "12.34" in row.inner_text()

    # the teller, in a browser of their own, sees the new fee and is quoted it
    teller_context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_url, locale="en-US"
    )
    teller_context.set_default_timeout(15_000)
    try:
        teller = teller_context.new_page()
        console_login(teller, DEMO_TELLER, next="/console/fees")
        fee_row = teller.locator("#fee-table tr", has=teller.locator("code", has_text="cheque_book"))
        assert "12.34" in fee_row.inner_text()
        quote = teller.locator("form[action='/console/fees/quote']")
        quote.locator("input[name=tx_type]").fill("cheque_book")
        quote.locator("select[name=channel]").select_option("counter")
        quote.locator("input[name=amount]").fill("100")
        quote.locator("button[type=submit]").click()
        teller.wait_for_load_state()
        assert "12.34" in teller.locator("#quote-result").inner_text()
    finally:
        teller_context.close()

    # a negative fee is refused with its code and the teller's fee stays as it was
    form = page.locator("#fee-form")
    form.locator("input[name=tx_type]").fill("cheque_book")
    form.locator("select[name=channel]").select_option("counter")
    form.locator("input[name=fixed_fee]").fill("-1.00")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "INVALID_FEE_RULE" in page.locator(".alert.error").inner_text()
    page.goto("/console/fees")
    assert (
        "12.34"
        in page.locator("#fee-table tr", has=page.locator("code", has_text="cheque_book")).inner_text()
    )


@pytest.mark.parametrize(
    ("path", "name", "ready"),
    [
        ("/console/channels", "console-channels", "#registry"),
        ("/console/channels/monitor", "console-channels-monitor", "#monitor-table"),
        ("/console/eod", "console-eod", "#eod-status"),
        ("/console/audit", "console-audit", "#audit-table"),
        ("/console/dashboard", "console-dashboard", "#deposits-table"),
    ],
)
def test_back_office_pages_are_accessible(
    page: Any, axe: Axe, shot: Shot, console_login: Callable[..., None], path: str, name: str, ready: str
) -> None:
    console_login(page, DEMO_ADMIN, next=path)
    assert page.locator(ready).is_visible()
    assert page.locator(".alert.error").count() == 0
    if path in ("/console/channels/monitor", "/console/dashboard"):
        page.wait_for_function("() => typeof Chart !== 'undefined'")
    assert axe(page) == []
    assert re.search(r"PERMISSION_DENIED|INTERNAL_ERROR", page.content()) is None
    shot(page, name)
