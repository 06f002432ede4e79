"""Loan workouts over REST: a credit officer classifies a loan and reads its history, the collections queue and a
loan's collection steps; a risk officer restructures, writes off and books a recovery; a teller may do none of
the workouts (403); refusals answer problem+json with stable codes. (Loans overdue by end of day are walked
through in tests/integration/loans/test_walkthrough.py: the shared bank's date does not move.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from tests.e2e.http.support import assert_problem, key
from tests.factories import Staff, deposit
from tests.factories.loans import MadeLoan, active_loan

API = "/api/v1/loans"
Auth = Callable[[str], dict[str, str]]


def new_loan(bank: Bank, staff: Staff, amount: str = "30000.00") -> MadeLoan:
    return active_loan(
        bank,
        staff["teller"].actor,
        staff["credit"].actor,
        staff["approver"].actor,
        balance="10.00",
        amount=amount,
        term_months=12,
    )


@pytest.fixture(scope="module")
def made(bank: Bank, staff: Staff) -> MadeLoan:
    return new_loan(bank, staff)


def test_the_collections_queue_is_not_read_as_a_loan_number(app_client: TestClient, auth: Auth) -> None:
    r = app_client.get(f"{API}/collections", headers=auth("credit"), params={"limit": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"items", "next_cursor"}
    assert all(item["overdue_since"] is not None for item in body["items"])
    assert_problem(
        app_client.get(f"{API}/collections", headers=auth("credit"), params={"cursor": "nonsense"}),
        422,
        "INVALID_REQUEST",
    )
    assert app_client.get(f"{API}/collections").status_code == 401


def test_a_credit_officer_classifies_worse_and_reads_the_history(
    app_client: TestClient, auth: Auth, made: MadeLoan
) -> None:
    url = f"{API}/{made.loan_number}"
    r = app_client.post(
        f"{url}/classification",
        headers=auth("credit"),
        json={"classification": "special_mention", "reason": "salary paid late twice"},
    )
    assert r.status_code == 200, r.text
    assert (
        r.json()["classification"],
        r.json()["classification_floor"],
        r.json()["officer_classification"],
    ) == (
        "special_mention",
        "normal",
        "special_mention",
    )
    assert_problem(
        app_client.post(
            f"{url}/classification",
            headers=auth("credit"),
            json={"classification": "awful", "reason": "no such class"},
        ),
        422,
        "INVALID_CLASSIFICATION",
    )
    assert_problem(
        app_client.post(
            f"{url}/classification",
            headers=auth("teller"),
            json={"classification": "loss", "reason": "not mine"},
        ),
        403,
        "PERMISSION_DENIED",
    )
    r = app_client.get(f"{url}/classifications", headers=auth("teller"))
    assert r.status_code == 200, r.text
    assert [(h["from_class"], h["to_class"], h["changed_by"]) for h in r.json()] == [
        ("normal", "special_mention", "credit")
    ]
    assert_problem(
        app_client.get(f"{API}/NO-SUCH-LOAN/classifications", headers=auth("credit")), 404, "LOAN_NOT_FOUND"
    )


def test_a_collection_step_needs_something_overdue(
    app_client: TestClient, auth: Auth, made: MadeLoan
) -> None:
    url = f"{API}/{made.loan_number}/collections"
    assert_problem(
        app_client.post(url, headers=auth("credit"), json={"action": "call", "note": "courtesy call"}),
        409,
        "LOAN_NOT_OVERDUE",
    )
    assert_problem(
        app_client.post(url, headers=auth("credit"), json={"action": "promise", "promise_amount": "100.00"}),
        422,
        "INVALID_COLLECTION_ACTION",
    )
    assert_problem(
        app_client.post(url, headers=auth("teller"), json={"action": "call"}), 403, "PERMISSION_DENIED"
    )
    r = app_client.get(url, headers=auth("credit"))
    assert (r.status_code, r.json()) == (200, [])


def test_a_risk_officer_restructures_a_classified_loan(
    app_client: TestClient, auth: Auth, made: MadeLoan
) -> None:
    url = f"{API}/{made.loan_number}/restructure"
    body = {"term_months": 24, "annual_rate": "4.35", "reason": "lower payments while salary is late"}
    assert_problem(app_client.post(url, headers=auth("risk"), json=body), 400, "IDEMPOTENCY_KEY_REQUIRED")
    assert_problem(
        app_client.post(url, headers={**auth("credit"), "Idempotency-Key": key()}, json=body),
        403,
        "PERMISSION_DENIED",
    )
    assert_problem(
        app_client.post(
            url, headers={**auth("risk"), "Idempotency-Key": key()}, json={**body, "term_months": 0}
        ),
        422,
        "INVALID_TERM",
    )
    headers = {**auth("risk"), "Idempotency-Key": key()}
    r = app_client.post(url, headers=headers, json=body)
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["schedule_version"], done["annual_rate"], done["term_months"], done["restructured"]) == (
        2,
        "4.35",
        24,
        True,
    )
    assert (done["classification"], done["capitalised_interest"], done["outstanding_principal"]) == (
        "special_mention",
        "0.00",
        "30000.00",
    )
    again = app_client.post(url, headers=headers, json=body)
    assert (again.status_code, again.json()) == (200, done)
    loan = app_client.get(f"{API}/{made.loan_number}", headers=auth("teller")).json()
    assert (loan["restructured"], loan["schedule_version"], loan["annual_rate"]) == (True, 2, "4.35")


def test_restructuring_a_performing_loan_is_refused(
    app_client: TestClient, auth: Auth, bank: Bank, staff: Staff
) -> None:
    other = new_loan(bank, staff, amount="5000.00")
    assert_problem(
        app_client.post(
            f"{API}/{other.loan_number}/restructure",
            headers={**auth("risk"), "Idempotency-Key": key()},
            json={"term_months": 12, "reason": "asked nicely"},
        ),
        409,
        "RESTRUCTURING_NOT_ALLOWED",
    )


def test_write_off_and_recovery_over_rest(
    app_client: TestClient, auth: Auth, bank: Bank, staff: Staff
) -> None:
    loan = new_loan(bank, staff, amount="8000.00")
    url = f"{API}/{loan.loan_number}"
    body = {"reason": "borrower deceased, no estate"}
    assert_problem(
        app_client.post(f"{url}/write-off", headers={**auth("risk"), "Idempotency-Key": key()}, json=body),
        409,
        "WRITE_OFF_NOT_ALLOWED",
    )
    assert_problem(
        app_client.post(
            f"{url}/recoveries",
            headers={**auth("risk"), "Idempotency-Key": key()},
            json={"amount": "10.00", "from_account": loan.account_number},
        ),
        409,
        "LOAN_STATUS_CONFLICT",
    )
    r = app_client.post(
        f"{url}/classification", headers=auth("credit"), json={"classification": "loss", "reason": "deceased"}
    )
    assert r.status_code == 200, r.text
    assert_problem(
        app_client.post(f"{url}/write-off", headers={**auth("teller"), "Idempotency-Key": key()}, json=body),
        403,
        "PERMISSION_DENIED",
    )
    assert_problem(
        app_client.post(f"{url}/write-off", headers={**auth("credit"), "Idempotency-Key": key()}, json=body),
        403,
        "PERMISSION_DENIED",
    )
    headers = {**auth("risk"), "Idempotency-Key": key()}
    r = app_client.post(f"{url}/write-off", headers=headers, json=body)
    assert r.status_code == 200, r.text
    off = r.json()
    assert (
        off["status"],
        off["written_off_amount"],
        off["provision_topped_up"],
        off["interest_reversed"],
    ) == (
        "written_off",
        "8000.00",
        "8000.00",
        "0.00",
    )
    assert app_client.post(f"{url}/write-off", headers=headers, json=body).json() == off
    assert_problem(
        app_client.post(f"{url}/write-off", headers={**auth("risk"), "Idempotency-Key": key()}, json=body),
        409,
        "LOAN_CLOSED",
    )
    deposit(bank, staff["teller"].actor, loan.account_number, "600.00")
    r = app_client.post(
        f"{url}/recoveries",
        headers={**auth("risk"), "Idempotency-Key": key()},
        json={"amount": "600.00", "from_account": loan.account_number},
    )
    assert r.status_code == 201, r.text
    assert (r.json()["amount"], r.json()["recovered_amount"], r.json()["source"]) == (
        "600.00",
        "600.00",
        loan.account_number,
    )
    assert_problem(
        app_client.post(
            f"{url}/recoveries",
            headers={**auth("risk"), "Idempotency-Key": key()},
            json={"amount": "7400.01", "from_account": loan.account_number},
        ),
        422,
        "RECOVERY_EXCEEDS_WRITTEN_OFF",
    )
    assert_problem(
        app_client.post(
            f"{url}/recoveries",
            headers={**auth("teller"), "Idempotency-Key": key()},
            json={"amount": "1.00", "cash": True},
        ),
        403,
        "PERMISSION_DENIED",
    )
    got = app_client.get(url, headers=auth("teller")).json()
    assert (
        got["status"],
        got["outstanding_principal"],
        got["written_off_amount"],
        got["recovered_amount"],
    ) == (
        "written_off",
        "0.00",
        "8000.00",
        "600.00",
    )
