"""Smoke tests of the browser harness: the live demo bank answers, a teller signs in to the console, the
pages pass axe-core's critical checks, and a missing page shows the stable NOT_FOUND code."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from corebank.demo.common import DEMO_PASSWORD as LOADER_PASSWORD
from corebank.demo.common import STAFF
from tests.e2e.browser.conftest import (
    DEMO_ADMIN,
    DEMO_AUDITOR,
    DEMO_CHANNEL_MANAGER,
    DEMO_PASSWORD,
    DEMO_SUPERVISOR,
    DEMO_TELLER,
    LiveBank,
)

Axe = Callable[[Any], list[dict[str, Any]]]


def test_demo_constants_match_the_demo_loader(demo: dict[str, Any]) -> None:
    roles = {username: role for username, role, _branch, _name in STAFF}
    assert DEMO_PASSWORD == LOADER_PASSWORD
    assert roles[DEMO_TELLER] == "teller"
    assert roles[DEMO_SUPERVISOR] == "supervisor"
    assert roles[DEMO_ADMIN] == "admin"
    assert roles[DEMO_CHANNEL_MANAGER] == "channel_manager"
    assert roles[DEMO_AUDITOR] == "auditor"
    logins = [c["login"] for c in demo["customers"]]
    assert logins == ["demo01", "demo02", "demo03"]
    assert all(c.get("account") and c.get("customer") for c in demo["customers"]), demo["customers"]


def test_the_cli_runs_against_the_live_bank(live_bank: LiveBank) -> None:
    out = live_bank.cli("ebank", "outbox", "--last", "1")
    assert out.returncode == 0


def test_console_login_page_is_accessible(page: Any, axe: Axe, shot: Callable[[Any, str], Any]) -> None:
    response = page.goto("/console/login")
    assert response is not None and response.status == 200
    assert page.get_by_label("User name").is_visible()
    assert page.get_by_label("Password").is_visible()
    assert axe(page) == []
    shot(page, "console-login")


def test_wrong_password_stays_on_the_login_page(page: Any) -> None:
    page.goto("/console/login")
    page.fill("input[name=username]", DEMO_TELLER)
    page.fill("input[name=password]", "not-the-password")
    page.click("form[action='/console/login'] button[type=submit]")
    page.wait_for_load_state()
    assert "/console/login" in page.url
    assert page.locator(".alert.error").is_visible()


def test_teller_signs_in_to_the_console_home(page: Any, axe: Axe, console_login: Callable[..., None]) -> None:
    console_login(page, DEMO_TELLER, DEMO_PASSWORD)
    assert re.search(r"/console$", page.url)
    assert page.locator("main, body").first.is_visible()
    assert axe(page) == []


def test_anonymous_console_visit_goes_to_login(page: Any) -> None:
    page.goto("/console")
    assert "/console/login" in page.url


def test_missing_console_page_shows_not_found(page: Any, console_login: Callable[..., None]) -> None:
    console_login(page, DEMO_TELLER)
    response = page.goto("/console/no-such-page")
    assert response is not None and response.status == 404
    assert page.locator("code.code").first.inner_text() == "NOT_FOUND"


def test_bank_login_on_a_phone(mobile_page: Any, axe: Axe, shot: Callable[[Any, str], Any]) -> None:
    response = mobile_page.goto("/bank/login")
    assert response is not None
    if response.status == 404:
        import pytest

        pytest.skip("/bank/login does not exist yet")
    assert response.status == 200
    width = mobile_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"
    assert axe(mobile_page) == []
    shot(mobile_page, "bank-login-mobile")
