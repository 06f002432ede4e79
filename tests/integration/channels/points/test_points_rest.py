"""Points over REST: the customer's own points and redemption (only into their own account, idempotent, refused
whole when the points fall short), staff views and adjustments, the earning rules; and the CLI."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corebank.bootstrap import Bank
from corebank.cli import points as points_cli
from tests.factories import Staff, funded_account, ledger_state
from tests.factories.channels import customer_session
from tests.integration.channels.points.support import lots


def key() -> dict[str, str]:
    return {"Idempotency-Key": f"pts-{uuid.uuid4().hex}"}


def _balance(client: TestClient, auth: Any, number: str) -> Decimal:
    return Decimal(client.get(f"/api/v1/accounts/{number}", headers=auth("teller")).json()["balance"])


def _give(client: TestClient, auth: Any, customer: str, pts: int, reason: str = "welcome bonus") -> Any:
    r = client.post(
        f"/api/v1/customers/{customer}/points/adjustments",
        json={"points": pts, "reason": reason},
        headers={**auth("admin2"), **key()},
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_customer_redeems_points_into_their_own_account(
    app_client: TestClient, bank: Bank, staff: Staff, auth: Any
) -> None:
    acc = funded_account(bank, staff["teller"].actor, "100.00")
    me = customer_session(bank, acc.customer_number)
    assert _give(app_client, auth, acc.customer_number, 500)["balance"] == 500

    mine = app_client.get("/api/v1/me/points", headers=me.headers).json()
    assert (mine["customer_number"], mine["balance"], mine["cash_value"]) == (
        acc.customer_number,
        500,
        "5.00",
    )
    assert [(m["kind"], m["points"]) for m in mine["history"]] == [("adjust", 500)]

    idem = key()
    r = app_client.post(
        "/api/v1/me/points/redemptions",
        json={"points": 250, "account_number": acc.number},
        headers={**me.headers, **idem},
    )
    assert r.status_code == 201, r.text
    done = r.json()
    assert (done["points"], done["cash_value"], done["currency"], done["balance"]) == (
        250,
        "2.50",
        "CNY",
        250,
    )
    assert _balance(app_client, auth, acc.number) == Decimal("102.50")
    entry = app_client.get(f"/api/v1/ledger/entries/{done['entry_id']}", headers=auth("supervisor")).json()
    assert entry["kind"] == "points.redeem"
    # Dr 6601 operating expense (marketing) / Cr the customer's account (demand deposits).
    assert {(ln["gl_code"], ln["side"], ln["amount"]) for ln in entry["lines"]} == {
        ("6601", "debit", "2.50"),
        ("2011", "credit", "2.50"),
    }
    # A retry with the same key: the first answer, no second posting.
    again = app_client.post(
        "/api/v1/me/points/redemptions",
        json={"points": 250, "account_number": acc.number},
        headers={**me.headers, **idem},
    )
    assert again.json()["entry_id"] == done["entry_id"]
    assert _balance(app_client, auth, acc.number) == Decimal("102.50")

    page = app_client.get("/api/v1/me/points", params={"limit": 1}, headers=me.headers).json()
    assert page["balance"] == 250
    assert [(m["kind"], m["points"]) for m in page["history"]] == [("redeem", -250)]
    rest = app_client.get(
        "/api/v1/me/points", params={"limit": 1, "cursor": page["next_cursor"]}, headers=me.headers
    ).json()
    assert [(m["kind"], m["points"]) for m in rest["history"]] == [("adjust", 500)]
    assert rest["next_cursor"] is None


def test_redemption_into_another_customers_account_is_not_found(
    app_client: TestClient, bank: Bank, staff: Staff, auth: Any
) -> None:
    mine = funded_account(bank, staff["teller"].actor, "10.00")
    theirs = funded_account(bank, staff["teller"].actor, "10.00")
    me = customer_session(bank, mine.customer_number)
    _give(app_client, auth, mine.customer_number, 300)
    before = ledger_state(bank)
    for number in (theirs.number, "000000000000000"):
        r = app_client.post(
            "/api/v1/me/points/redemptions",
            json={"points": 100, "account_number": number},
            headers={**me.headers, **key()},
        )
        assert (r.status_code, r.json()["code"]) == (404, "NOT_FOUND")
    assert ledger_state(bank) == before
    assert [lot["remaining"] for lot in lots(bank, mine.customer_number)] == [300]


def test_redemption_over_the_points_held_changes_nothing(
    app_client: TestClient, bank: Bank, staff: Staff, auth: Any
) -> None:
    acc = funded_account(bank, staff["teller"].actor, "10.00")
    me = customer_session(bank, acc.customer_number, channel="mobile")
    _give(app_client, auth, acc.customer_number, 120)
    before = ledger_state(bank)
    r = app_client.post(
        "/api/v1/me/points/redemptions",
        json={"points": 121, "account_number": acc.number},
        headers={**me.headers, **key()},
    )
    assert (r.status_code, r.json()["code"], r.json()["available"]) == (422, "POINTS_INSUFFICIENT", 120)
    for body, code in (({"points": 0, "account_number": acc.number}, "VALIDATION_ERROR"),):
        bad = app_client.post("/api/v1/me/points/redemptions", json=body, headers={**me.headers, **key()})
        assert (bad.status_code, bad.json()["code"]) == (422, code)
    no_key = app_client.post(
        "/api/v1/me/points/redemptions", json={"points": 10, "account_number": acc.number}, headers=me.headers
    )
    assert no_key.status_code == 400
    assert ledger_state(bank) == before
    assert app_client.get("/api/v1/me/points", headers=me.headers).json()["balance"] == 120


def test_staff_see_and_adjust_a_customers_points(
    app_client: TestClient, bank: Bank, staff: Staff, auth: Any
) -> None:
    acc = funded_account(bank, staff["teller"].actor, "10.00")
    _give(app_client, auth, acc.customer_number, 80)
    taken = _give(app_client, auth, acc.customer_number, -30, "points given in error")
    assert (taken["points"], taken["balance"]) == (-30, 50)
    view = app_client.get(f"/api/v1/customers/{acc.customer_number}/points", headers=auth("teller"))
    assert view.status_code == 200 and view.json()["balance"] == 50
    latest = view.json()["history"][0]
    assert (latest["kind"], latest["points"], latest["memo"]) == ("adjust", -30, "points given in error")
    r = app_client.post(
        f"/api/v1/customers/{acc.customer_number}/points/adjustments",
        json={"points": -51, "reason": "too many"},
        headers={**auth("admin2"), **key()},
    )
    assert (r.status_code, r.json()["code"]) == (422, "POINTS_INSUFFICIENT")
    r = app_client.post(
        f"/api/v1/customers/{acc.customer_number}/points/adjustments",
        json={"points": 10, "reason": "a teller may not"},
        headers={**auth("teller"), **key()},
    )
    assert r.status_code == 403
    audit = app_client.get(
        "/api/v1/audit",
        params={"action": "points.adjust", "object_id": acc.customer_number},
        headers=auth("admin2"),
    ).json()["items"]
    assert [(a["actor"], a["detail"]["points"]) for a in audit] == [("admin2", -30), ("admin2", 80)]
    # A customer token does not open staff routes, nor a staff token the customer's.
    me = customer_session(bank, acc.customer_number)
    assert (
        app_client.get(f"/api/v1/customers/{acc.customer_number}/points", headers=me.headers).status_code
        == 401
    )
    assert app_client.get("/api/v1/me/points", headers=auth("teller")).status_code == 401


def test_rules_start_from_the_settings_and_change_by_code(app_client: TestClient, auth: Any) -> None:
    r = app_client.get("/api/v1/points/rules", headers=auth("admin2"))
    assert r.status_code == 200
    by_code = {x["code"]: x for x in r.json()}
    assert (by_code["card_spend"]["rate"], by_code["holding"]["rate"]) == ("1", "10")
    assert by_code["card_spend"]["updated_by"] == "settings"
    assert app_client.get("/api/v1/points/rules", headers=auth("teller")).status_code == 403

    put = app_client.put(
        "/api/v1/points/rules",
        json={"rules": [{"code": "double_days", "kind": "card_spend", "rate": "1.5"}]},
        headers=auth("admin2"),
    )
    assert put.status_code == 200, put.text
    by_code = {x["code"]: x for x in put.json()}
    assert (by_code["double_days"]["rate"], by_code["double_days"]["updated_by"]) == ("1.5", "admin2")
    for bad in (
        {"code": "double_days", "kind": "card_spend", "rate": "abc"},
        {"code": "double_days", "kind": "card_spend", "rate": "0.00001"},
        {"code": "double_days", "kind": "holding", "rate": "1"},
    ):
        r = app_client.put("/api/v1/points/rules", json={"rules": [bad]}, headers=auth("admin2"))
        assert (r.status_code, r.json()["code"]) == (422, "POINTS_RULE_INVALID"), r.text
    off = app_client.put(
        "/api/v1/points/rules",
        json={"rules": [{"code": "double_days", "kind": "card_spend", "rate": "1.5", "active": False}]},
        headers=auth("admin2"),
    )
    assert {x["code"]: x["active"] for x in off.json()}["double_days"] is False


def test_cli_shows_points_and_rules_and_adjusts(
    bank: Bank, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(points_cli, "build_bank", lambda: bank)
    monkeypatch.setattr(points_cli.console, "width", 200)
    acc = funded_account(bank, staff["teller"].actor, "10.00")
    cli = CliRunner()
    r = cli.invoke(
        points_cli.app,
        ["adjust", acc.customer_number, "40", "--reason", "branch event", "--as-user", "admin2"],
    )
    assert r.exit_code == 0, r.output
    r = cli.invoke(points_cli.app, ["show", acc.customer_number, "--as-user", "teller"])
    assert r.exit_code == 0 and "40" in r.output and "branch event" in r.output, r.output
    r = cli.invoke(points_cli.app, ["rules", "--as-user", "admin2"])
    assert r.exit_code == 0 and "card_spend" in r.output
    r = cli.invoke(
        points_cli.app, ["adjust", "--reason", "x", "--as-user", "admin2", acc.customer_number, "--", "-100"]
    )
    assert r.exit_code == 2 and "POINTS_INSUFFICIENT" in r.output
