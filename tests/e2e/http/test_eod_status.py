"""`GET /api/v1/eod/status`: the business date, its phase and the runs, for those who may read the books."""

from __future__ import annotations

from typing import Any


def test_eod_status_shows_the_open_business_date(app_client: Any, auth: Any) -> None:
    r = app_client.get("/api/v1/eod/status", headers=auth("accountant"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["phase"] == "open"
    assert body["business_date"] == "2026-03-02"
    assert isinstance(body["runs"], list)


def test_a_teller_may_not_read_the_eod_status(app_client: Any, auth: Any) -> None:
    r = app_client.get("/api/v1/eod/status", headers=auth("teller"))
    assert r.status_code == 403
    assert r.json()["code"] == "PERMISSION_DENIED"


def test_a_bad_limit_is_refused(app_client: Any, auth: Any) -> None:
    r = app_client.get("/api/v1/eod/status?limit=0", headers=auth("auditor"))
    assert r.status_code == 422
