"""Back office, the audit trail: search, date range, cursor pages and the hash-chain check."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from corebank.products import fee_schedule
from corebank.products.fee_schemas import FeeRuleSet

SEQ = re.compile(r'<tr><td class="num">(\d+)</td>')


def _seqs(html: str) -> list[int]:
    return [int(s) for s in SEQ.findall(html)]


def test_the_auditor_finds_a_fee_change_by_action_actor_and_date(console, bank, staff) -> None:
    bank.run(
        fee_schedule.set_fee_rule,
        staff["admin2"].actor,
        FeeRuleSet(tx_type="audit_probe", channel="counter", fixed_fee="2.00"),
    )
    b = console("auditor")
    today = datetime.now(UTC).date()
    r = b.get(f"/console/audit?action=fee.set&who=admin2&date_from={today}&date_to={today}")
    assert r.status_code == 200 and "audit_probe" in r.text
    assert _seqs(r.text) and "No records match" not in r.text
    yesterday = today - timedelta(days=1)
    r = b.get(f"/console/audit?action=fee.set&who=admin2&date_to={yesterday}")
    assert r.status_code == 200 and _seqs(r.text) == []
    r = b.get(f"/console/audit?action=fee.set&date_from={today + timedelta(days=1)}")
    assert _seqs(r.text) == []


def test_the_trail_pages_with_a_cursor_newest_first(console, bank, staff) -> None:
    for n in range(55):  # enough records for a second page
        bank.run(
            fee_schedule.set_fee_rule,
            staff["admin2"].actor,
            FeeRuleSet(tx_type="audit_pages", channel="counter", fixed_fee=f"{n}.00"),
        )
    b = console("auditor")
    first = b.get("/console/audit?action=fee.set")
    seqs = _seqs(first.text)
    assert len(seqs) == 50 and seqs == sorted(seqs, reverse=True)
    nxt = re.search(r'href="(/console/audit\?[^"]*cursor=\d+)"', first.text)
    assert nxt is not None
    second = b.get(nxt.group(1).replace("&amp;", "&"))
    more = _seqs(second.text)
    assert more and max(more) < min(seqs)


def test_verify_the_chain_shows_that_it_holds(console) -> None:
    b = console("auditor")
    r = b.get("/console/audit/verify")
    assert r.status_code == 200 and 'id="verify-result"' in r.text and "alert ok" in r.text


def test_a_bad_date_shows_the_code(console) -> None:
    b = console("auditor")
    r = b.get("/console/audit?date_from=2026-13-40")
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text
    r = b.get("/console/audit?date_from=2026-05-02&date_to=2026-05-01")
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text
    r = b.get("/console/audit?cursor=abc")
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text


def test_a_teller_may_not_read_the_audit_trail(console) -> None:
    b = console("teller")
    for url in ("/console/audit", "/console/audit/verify"):
        r = b.get(url)
        assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
