"""Back office, credit: the decision queue of loan applications and the collections queue."""

from __future__ import annotations

from corebank.loans import applications
from tests.factories import funded_account
from tests.factories.loans import application


def _scored(bank, staff) -> int:  # type: ignore[no-untyped-def]
    acc = funded_account(bank, staff["teller"].actor, "5000.00")
    app_id = application(bank, staff["credit"].actor, acc.customer_number, acc.number, amount="50000.00")
    bank.run(applications.score_application, staff["credit"].actor, app_id)
    return app_id


def _status(bank, staff, app_id: int) -> str:  # type: ignore[no-untyped-def]
    return bank.run(applications.get_application, staff["approver"].actor, app_id, readonly=True).status


def test_the_approver_approves_a_scored_application_from_the_queue(console, bank, staff) -> None:
    app_id = _scored(bank, staff)
    b = console("approver")
    page = b.get("/console/loans/queue")
    assert page.status_code == 200 and f'id="application-{app_id}"' in page.text
    r = b.post(
        f"/console/loans/applications/{app_id}/decide", {"decision": "approve", "reason": "good payer"}
    )
    assert r.status_code == 200 and r.url.path == "/console/loans/queue"
    assert _status(bank, staff, app_id) == "approved"
    assert f'id="application-{app_id}"' not in r.text


def test_a_rejection_needs_a_reason_and_a_short_one_changes_nothing(console, bank, staff) -> None:
    app_id = _scored(bank, staff)
    b = console("approver")
    b.get("/console/loans/queue")
    r = b.post(f"/console/loans/applications/{app_id}/decide", {"decision": "reject", "reason": "no"})
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text and _status(bank, staff, app_id) == "scored"
    r = b.post(f"/console/loans/applications/{app_id}/decide", {"decision": "approve", "annual_rate": "-1"})
    assert r.status_code == 422 and _status(bank, staff, app_id) == "scored"
    r = b.post(
        f"/console/loans/applications/{app_id}/decide", {"decision": "reject", "reason": "income not proven"}
    )
    assert r.status_code == 200 and _status(bank, staff, app_id) == "rejected"


def test_a_teller_sees_the_queue_but_may_not_decide(console, bank, staff) -> None:
    app_id = _scored(bank, staff)
    b = console("teller")
    page = b.get("/console/loans/queue")
    assert page.status_code == 200 and 'value="approve"' not in page.text
    r = b.post(f"/console/loans/applications/{app_id}/decide", {"decision": "approve"})
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    assert _status(bank, staff, app_id) == "scored"


def test_the_collections_queue_is_shown_to_risk(console) -> None:
    r = console("risk").get("/console/loans/collections")
    assert r.status_code == 200 and 'id="collections-table"' in r.text
    r = console("accountant").get("/console/loans/collections")
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
