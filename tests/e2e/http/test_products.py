"""The product factory and the business calendar over REST: a product manager defines a product, proposes its
rates (202), a second product manager approves them, the product goes on sale and is retired; the calendar of a
far-off year (so the shared bank's value dates stay as they are) is loaded as CSV or JSON and read back."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from corebank.security import SYSTEM
from corebank.security import service as security
from corebank.security.schemas import UserCreate
from tests.conftest import START_DATE
from tests.e2e.http.support import assert_problem
from tests.factories import Staff

API = "/api/v1"
PASSWORD = "Product-pass-2026"


@pytest.fixture(scope="module")
def managers(bank: Bank, staff: Staff, app_client: TestClient) -> tuple[dict[str, str], dict[str, str]]:
    """Bearer headers of two product managers (a maker and a checker) created for this module."""
    out = []
    for _ in range(2):
        name = f"e2e_pm_{uuid.uuid4().hex[:6]}"
        bank.run(
            security.create_user,
            SYSTEM,
            UserCreate(username=name, roles=["product_manager"], branch_code="0001", password=PASSWORD),
        )
        r = app_client.post(f"{API}/auth/token", data={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        out.append({"Authorization": f"Bearer {r.json()['access_token']}"})
    return out[0], out[1]


def product_body(code: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "name": "Big-ticket time deposit",
        "name_zh": "大额定期",
        "kind": "time_deposit",
        "currency": "CNY",
        "gl_code": "2012",
        "terms": ["12M", "24M"],
        "min_opening_amount": "200000.00",
        "min_balance": "200000.00",
        "rollover_options": ["none", "principal_and_interest"],
        "channels": ["counter", "internet"],
        "account_classes": [1],
        "demand_product_code": "DEMAND_CNY",
    }
    body.update(overrides)
    return body


def test_a_product_is_defined_rated_under_maker_checker_sold_and_retired(
    app_client: TestClient, auth: Any, managers: tuple[dict[str, str], dict[str, str]]
) -> None:
    maker, checker = managers
    code = f"E2E_{uuid.uuid4().hex[:8].upper()}"
    r = app_client.post(f"{API}/products", headers=maker, json=product_body(code))
    assert r.status_code == 201, r.text
    assert (r.json()["status"], r.json()["min_opening_amount"], r.json()["terms"]) == (
        "draft",
        "200000.00",
        ["12M", "24M"],
    )
    assert_problem(
        app_client.post(f"{API}/products", headers=maker, json=product_body(code)), 409, "PRODUCT_EXISTS"
    )

    r = app_client.patch(f"{API}/products/{code}", headers=maker, json={"channels": ["counter"]})
    assert r.status_code == 200 and r.json()["channels"] == ["counter"], r.text
    assert_problem(
        app_client.patch(f"{API}/products/{code}", headers=maker, json={"kind": "demand_deposit"}),
        422,
        "VALIDATION_ERROR",
    )
    assert_problem(app_client.post(f"{API}/products/{code}/activate", headers=maker), 422, "RATES_MISSING")

    rates = {
        "effective_date": START_DATE.isoformat(),
        "rates": [{"term": "12M", "annual_rate": "1.55"}, {"term": "24M", "annual_rate": "2.15"}],
    }
    r = app_client.put(f"{API}/products/{code}/rates", headers=maker, json=rates)
    assert r.status_code == 202, r.text
    pending = r.json()
    assert pending["status"] == "pending_approval"
    assert app_client.get(f"{API}/products/{code}/rates", headers=maker).json() == []

    approve = f"{API}/approvals/{pending['approval_id']}/approve"
    assert_problem(app_client.post(approve, headers=maker), 403, "SELF_APPROVAL")
    assert_problem(app_client.post(approve, headers=auth("supervisor")), 403, "PERMISSION_DENIED")
    r = app_client.post(approve, headers=checker, json={"reason": "ALCO decision"})
    assert r.status_code == 200 and r.json()["status"] == "executed", r.text

    r = app_client.get(f"{API}/products/{code}/rates", headers=auth("teller"))
    assert r.status_code == 200, r.text
    assert [(x["term"], x["annual_rate"], x["effective_date"]) for x in r.json()] == [
        ("12M", "1.55", START_DATE.isoformat()),
        ("24M", "2.15", START_DATE.isoformat()),
    ]
    assert r.json()[0]["approved_by"] != r.json()[0]["created_by"]
    r = app_client.get(f"{API}/products/{code}/rates?term=24M", headers=maker)
    assert [x["term"] for x in r.json()] == ["24M"]

    r = app_client.post(f"{API}/products/{code}/activate", headers=maker)
    assert r.status_code == 200 and r.json()["status"] == "active", r.text
    listed = app_client.get(f"{API}/products", headers=auth("teller")).json()
    assert {"code": code, "status": "active"}.items() <= next(p for p in listed if p["code"] == code).items()

    r = app_client.post(f"{API}/products/{code}/retire", headers=maker)
    assert r.status_code == 200 and r.json()["status"] == "retired", r.text
    assert_problem(
        app_client.put(f"{API}/products/{code}/rates", headers=maker, json=rates), 409, "PRODUCT_RETIRED"
    )
    assert app_client.get(f"{API}/products/{code}", headers=maker).json()["status"] == "retired"


def test_bad_rate_changes_are_refused_with_their_codes(
    app_client: TestClient, managers: tuple[dict[str, str], dict[str, str]]
) -> None:
    maker, _ = managers
    code = f"E2E_{uuid.uuid4().hex[:8].upper()}"
    assert app_client.post(f"{API}/products", headers=maker, json=product_body(code)).status_code == 201

    def put(day: str, *lines: dict[str, str]) -> Any:
        return app_client.put(
            f"{API}/products/{code}/rates", headers=maker, json={"effective_date": day, "rates": list(lines)}
        )

    assert_problem(put("2026-03-01", {"term": "12M", "annual_rate": "1.5"}), 422, "RATE_DATE_IN_PAST")
    assert_problem(put("2026-03-02", {"term": "60M", "annual_rate": "2.5"}), 422, "TERM_NOT_OFFERED")
    assert_problem(put("2026-03-02", {"term": "12M", "annual_rate": "120"}), 422, "INVALID_RATE")
    assert_problem(put("2026-03-02"), 422, "VALIDATION_ERROR")
    assert_problem(
        app_client.put(
            f"{API}/products/NO_SUCH/rates",
            headers=maker,
            json={"effective_date": "2026-03-02", "rates": [{"term": "12M", "annual_rate": "1"}]},
        ),
        404,
        "PRODUCT_NOT_FOUND",
    )


def test_only_product_managers_change_products(app_client: TestClient, auth: Any) -> None:
    body = product_body("E2E_TELLER")
    assert_problem(app_client.post(f"{API}/products", headers=auth("teller")), 403, "PERMISSION_DENIED")
    assert_problem(
        app_client.post(f"{API}/products", headers=auth("teller"), json=body), 403, "PERMISSION_DENIED"
    )
    assert_problem(
        app_client.post(f"{API}/products/TIME_CNY/retire", headers=auth("supervisor")),
        403,
        "PERMISSION_DENIED",
    )
    assert_problem(app_client.get(f"{API}/products"), 401, "NOT_AUTHENTICATED")
    r = app_client.get(f"{API}/products/TIME_CNY", headers=auth("teller"))
    assert r.status_code == 200 and r.json()["terms"] == ["3M", "6M", "12M", "24M", "36M", "60M"], r.text


# ---------------------------------------------------------------- the business calendar (year 2099)


def test_the_calendar_is_loaded_as_csv_or_json_and_read_back(app_client: TestClient, auth: Any) -> None:
    csv_body = "date,kind,name\n2099-01-01,holiday,New Year\n2099-01-02,holiday,New Year\n2099-01-03,working,make-up\n"
    r = app_client.put(
        f"{API}/calendar/2099", headers={**auth("accountant"), "Content-Type": "text/csv"}, content=csv_body
    )
    assert r.status_code == 200 and r.json() == {"year": 2099, "days": 3, "years": 1}, r.text
    r = app_client.get(f"{API}/calendar/2099", headers=auth("teller"))
    assert r.json() == [
        {"date": "2099-01-01", "working": False, "name": "New Year"},
        {"date": "2099-01-02", "working": False, "name": "New Year"},
        {"date": "2099-01-03", "working": True, "name": "make-up"},
    ]
    # 1 January 2099 is a Thursday: the next working day is Saturday the 3rd, made a working day.
    r = app_client.get(f"{API}/calendar/next-working-day?date=2099-01-01", headers=auth("teller"))
    assert r.json() == {"date": "2099-01-01", "working_day": False, "next_working_day": "2099-01-03"}

    # A JSON list replaces the year.
    r = app_client.put(
        f"{API}/calendar/2099",
        headers=auth("accountant"),
        json=[
            {"date": "2099-01-01", "kind": "holiday", "name": "New Year"},
            {"date": "2099-01-05", "working": False},
        ],
    )
    assert r.status_code == 200 and r.json()["days"] == 2, r.text
    days = app_client.get(f"{API}/calendar/2099", headers=auth("teller")).json()
    assert [(d["date"], d["working"]) for d in days] == [("2099-01-01", False), ("2099-01-05", False)]
    r = app_client.get(f"{API}/calendar/next-working-day?date=2099-01-01", headers=auth("teller"))
    assert r.json()["next_working_day"] == "2099-01-02"


def test_a_bad_calendar_is_refused_and_the_year_stays(app_client: TestClient, auth: Any) -> None:
    acc = {**auth("accountant"), "Content-Type": "text/csv"}
    assert (
        app_client.put(
            f"{API}/calendar/2098", headers=acc, content="2098-10-01,holiday,National Day\n"
        ).status_code
        == 200
    )
    body = assert_problem(
        app_client.put(
            f"{API}/calendar/2098", headers=acc, content="2098-10-01,holiday\n2098-02-30,holiday\n"
        ),
        422,
        "INVALID_REQUEST",
    )
    assert body["detail"].startswith("line 2:")
    assert_problem(
        app_client.put(f"{API}/calendar/2098", headers=acc, content="2097-10-01,holiday\n"),
        422,
        "INVALID_REQUEST",
    )
    assert_problem(
        app_client.put(f"{API}/calendar/2098", headers=auth("accountant"), json={"date": "2098-01-01"}),
        422,
        "INVALID_REQUEST",
    )
    assert_problem(
        app_client.put(
            f"{API}/calendar/2098",
            headers={**auth("teller"), "Content-Type": "text/csv"},
            content="2098-01-01,holiday\n",
        ),
        403,
        "PERMISSION_DENIED",
    )
    days = app_client.get(f"{API}/calendar/2098", headers=auth("teller")).json()
    assert days == [{"date": "2098-10-01", "working": False, "name": "National Day"}]
