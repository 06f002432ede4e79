"""Back office, products and rates: rate changes under maker-checker, and base-rate fixings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from corebank import products
from corebank.operations.models import Approval
from corebank.security import SYSTEM
from corebank.security import service as security
from corebank.security.schemas import UserCreate

PASSWORD = "Product-pages-pass-7"


@pytest.fixture(scope="module")
def managers(bank) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    for name in ("bo_pm1", "bo_pm2"):
        bank.run(
            security.create_user,
            SYSTEM,
            UserCreate(username=name, roles=["product_manager"], branch_code="0001", password=PASSWORD),
        )
    return "bo_pm1", "bo_pm2"


@pytest.fixture
def signed(pages, managers):  # type: ignore[no-untyped-def]
    def login(name: str):  # type: ignore[no-untyped-def]
        b = pages()
        b.get("/console/login")
        r = b.post("/console/login", {"username": name, "password": PASSWORD})
        assert r.url.path == "/console"
        return b

    return login


def _approvals(bank) -> int:  # type: ignore[no-untyped-def]
    return bank.run(
        lambda uow: uow.session.execute(select(func.count(Approval.id))).scalar_one(), readonly=True
    )


def _day(bank, days: int) -> str:  # type: ignore[no-untyped-def]
    return str(bank.run(lambda uow: uow.business_date, readonly=True) + timedelta(days=days))


def test_a_rate_change_is_proposed_by_one_manager_and_approved_by_another(signed, bank, staff) -> None:
    day = _day(bank, 300)
    maker = signed("bo_pm1")
    page = maker.get("/console/products/DEMAND_CNY")
    assert page.status_code == 200 and 'id="propose-form"' in page.text
    r = maker.post(
        "/console/products/DEMAND_CNY/rates",
        {"effective_date": day, "term_0": "demand", "annual_rate_0": "0.30"},
    )
    assert r.status_code == 200 and r.url.path == "/console/products/DEMAND_CNY"
    approval_id = int(re.search(r'id="approval-(\d+)"', r.text).group(1))  # type: ignore[union-attr]
    rates = bank.run(products.list_rates, staff["admin2"].actor, "DEMAND_CNY", None, readonly=True)
    assert str(day) not in {str(x.effective_date) for x in rates}  # nothing changes before the approval
    # the maker may not approve it
    maker.get("/console/products")
    own = maker.post(f"/console/products/approvals/{approval_id}/approve")
    assert own.status_code == 403 and "SELF_APPROVAL" in own.text
    checker = signed("bo_pm2")
    listed = checker.get("/console/products")
    assert f'id="approval-{approval_id}"' in listed.text
    ok = checker.post(f"/console/products/approvals/{approval_id}/approve")
    assert ok.status_code == 200 and f'id="approval-{approval_id}"' not in ok.text
    rates = bank.run(products.list_rates, staff["admin2"].actor, "DEMAND_CNY", None, readonly=True)
    new = [x for x in rates if str(x.effective_date) == day]
    assert [(x.term, x.annual_rate, x.approved_by) for x in new] == [("demand", "0.30", "bo_pm2")]


def test_a_rejection_needs_a_reason(signed, bank) -> None:
    maker = signed("bo_pm1")
    maker.get("/console/products/DEMAND_CNY")
    r = maker.post(
        "/console/products/DEMAND_CNY/rates",
        {"effective_date": _day(bank, 301), "term_0": "demand", "annual_rate_0": "0.31"},
    )
    approval_id = int(re.search(r'id="approval-(\d+)"', r.text).group(1))  # type: ignore[union-attr]
    checker = signed("bo_pm2")
    checker.get("/console/products")
    r = checker.post(f"/console/products/approvals/{approval_id}/reject", {"reason": ""})
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text
    r = checker.post(
        f"/console/products/approvals/{approval_id}/reject", {"reason": "too low for the market"}
    )
    assert r.status_code == 200 and f'id="approval-{approval_id}"' not in r.text


def test_a_bad_rate_proposal_shows_the_code_and_asks_nobody(signed, bank) -> None:
    maker = signed("bo_pm1")
    maker.get("/console/products/DEMAND_CNY")
    before = _approvals(bank)
    r = maker.post(
        "/console/products/DEMAND_CNY/rates",
        {"effective_date": _day(bank, 302), "term_0": "demand", "annual_rate_0": "abc"},
    )
    assert r.status_code in (400, 422) and "alert error" in r.text and 'value="abc"' in r.text
    r = maker.post(
        "/console/products/DEMAND_CNY/rates",
        {"effective_date": _day(bank, -1), "term_0": "demand", "annual_rate_0": "0.2"},
    )
    assert r.status_code == 422 and "alert error" in r.text
    assert _approvals(bank) == before


def test_a_teller_reads_products_but_may_not_propose_rates(console, bank) -> None:
    b = console("teller")
    assert b.get("/console/products").status_code == 200
    page = b.get("/console/products/DEMAND_CNY")
    assert page.status_code == 200 and "propose-form" not in page.text
    before = _approvals(bank)
    r = b.post(
        "/console/products/DEMAND_CNY/rates",
        {"effective_date": _day(bank, 303), "term_0": "demand", "annual_rate_0": "0.2"},
    )
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text and _approvals(bank) == before


def test_a_new_base_rate_fixing_and_a_backdated_one(signed, bank, staff) -> None:
    b = signed("bo_pm1")
    b.get("/console/products")
    r = b.post(
        "/console/products/base-rates",
        {"code": "LPR9Y", "annual_rate": "3.10", "effective_date": _day(bank, 10)},
    )
    assert r.status_code == 200 and "LPR9Y" in r.text
    fixings = [
        x
        for x in bank.run(products.list_base_rates, staff["admin2"].actor, readonly=True)
        if x["code"] == "LPR9Y"
    ]
    assert len(fixings) == 1 and fixings[0]["annual_rate"].startswith("3.1")
    r = b.post(
        "/console/products/base-rates",
        {"code": "LPR9Y", "annual_rate": "3.00", "effective_date": _day(bank, -5)},
    )
    assert r.status_code == 422 and "INVALID_PRODUCT" in r.text
    fixings = [
        x
        for x in bank.run(products.list_base_rates, staff["admin2"].actor, readonly=True)
        if x["code"] == "LPR9Y"
    ]
    assert len(fixings) == 1
