"""Back office, end of day: the status page and the Run button, on a bank of its own (a run rolls the date)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from corebank.eod.models import EodRun
from corebank.web.app import create_app
from corebank.web.pages import backoffice_eod
from tests.integration.conftest import PASSWORD
from tests.integration.pages.conftest import PageClient


@pytest.fixture(scope="module")
def eod_bank(fresh_bank):  # type: ignore[no-untyped-def]
    fresh_bank.add_staff("eod_accountant", "accountant", "0001")
    fresh_bank.add_staff("eod_auditor", "auditor", "0001")
    return fresh_bank


@pytest.fixture
def signed_in(eod_bank) -> Iterator[Callable[[str], PageClient]]:  # type: ignore[no-untyped-def]
    clients: list[TestClient] = []
    app = create_app(eod_bank.bank)

    def login(name: str) -> PageClient:
        c = TestClient(app, follow_redirects=True)
        clients.append(c)
        b = PageClient(c)
        b.get("/console/login")
        r = b.post("/console/login", {"username": name, "password": PASSWORD, "next": "/console/eod"})
        assert r.status_code == 200 and r.url.path == "/console/eod", r.text[:300]
        return b

    yield login
    for c in clients:
        c.close()


def _runs(bank) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return bank.run(
        lambda uow: [(str(r.business_date), r.status) for r in uow.session.execute(select(EodRun)).scalars()],
        readonly=True,
    )


def test_a_user_who_may_not_run_end_of_day_is_refused_and_nothing_runs(signed_in, eod_bank) -> None:
    b = signed_in("eod_auditor")
    page = b.get("/console/eod")
    assert page.status_code == 200 and 'id="business-date"' in page.text
    assert "eod-run-form" not in page.text
    r = b.post("/console/eod/run")
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    assert _runs(eod_bank.bank) == []


def test_the_accountant_runs_end_of_day_and_the_status_shows_each_step(signed_in, eod_bank) -> None:
    day = eod_bank.business_date()
    b = signed_in("eod_accountant")
    page = b.get("/console/eod")
    assert str(day) in page.text and "eod-run-form" in page.text
    r = b.post("/console/eod/run")
    assert r.status_code == 200 and r.url.path == "/console/eod"
    job = backoffice_eod.last_job(eod_bank.bank)
    assert job is not None and job.thread is not None
    polling = b.get("/console/eod/status")
    assert polling.status_code == 200 and 'id="eod-status"' in polling.text
    job.thread.join(timeout=120)
    assert not job.alive and job.error is None, job.error
    assert eod_bank.business_date() > day
    assert (str(day), "done") in _runs(eod_bank.bank)
    done = b.get("/console/eod/status")
    assert "hx-trigger" not in done.text  # no more polling once the run is over
    assert "eod.stop_bookings" in done.text and "eod.open_next_day" in done.text
    assert str(eod_bank.business_date()) in done.text


def test_a_second_start_while_one_runs_is_refused_with_its_code(signed_in, eod_bank) -> None:
    b = signed_in("eod_accountant")
    b.get("/console/eod")
    gate = backoffice_eod.Job(started_by="someone")
    import threading

    release = threading.Event()
    gate.thread = threading.Thread(target=release.wait, daemon=True)
    gate.thread.start()
    backoffice_eod._jobs[id(eod_bank.bank)] = gate
    try:
        before = _runs(eod_bank.bank)
        r = b.post("/console/eod/run")
        assert r.status_code == 409 and "EOD_RUNNING" in r.text
        assert 'hx-trigger="every 2s"' in r.text
        assert _runs(eod_bank.bank) == before
    finally:
        release.set()
        gate.thread.join()
        time.sleep(0)
