"""A bank of its own whose wall clock the tests move (codes and sessions expire), with its own HTTP client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from corebank import bootstrap
from corebank.config import Settings
from corebank.kernel.clock import utcnow
from corebank.security import SYSTEM, Actor, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate
from corebank.web.app import create_app
from tests.integration.conftest import FRESH_START, _create_database, _drop_database


class ManualClock:
    """A wall clock that starts at the real time and moves only when told (access tokens are checked against
    the real time, so tests move it only for what the bank itself checks: codes and refresh sessions)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class ClockBank:
    bank: bootstrap.Bank
    clock: ManualClock
    client: TestClient
    teller: Actor
    teller_headers: dict[str, str]


@pytest.fixture(scope="module")
def clock_bank(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClockBank]:
    admin_url = os.environ.get("COREBANK_TEST_DATABASE_URL")
    url = (
        _create_database(admin_url) if admin_url else f"sqlite:///{tmp_path_factory.mktemp('clock')}/clock.db"
    )
    clock = ManualClock()
    b = bootstrap.build(settings.model_copy(update={"database_url": url}), clock=clock)
    try:
        bootstrap.upgrade_db(b)
        assert bootstrap.initialize(b, FRESH_START).created
        password = "Clock-bank-pass-1"
        created = b.run(
            security.create_user,
            SYSTEM,
            UserCreate(username="teller", roles=["teller"], branch_code="0001", password=password),
        )
        teller = make_actor("teller", created.user.id, ("teller",), "0001", b.branch_tree())
        with TestClient(create_app(b)) as client:
            r = client.post("/api/v1/auth/token", data={"username": "teller", "password": password})
            assert r.status_code == 200, r.text
            headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
            yield ClockBank(b, clock, client, teller, headers)
    finally:
        b.dispose()
        if admin_url:
            _drop_database(admin_url, url)
