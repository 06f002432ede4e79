"""`corebank ebank`: the real command line, in a subprocess, on the session's bank."""

from __future__ import annotations

import os
import subprocess
import sys

from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from corebank.config import Settings
from tests.factories import Staff
from tests.integration.channels.identity.support import PASSWORD, last_code, person, start_login


def _cli(settings: Settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COREBANK_")}
    env.update(
        COREBANK_DATABASE_URL=settings.database_url,
        COREBANK_VAR_DIR=str(settings.var_dir),
        COREBANK_ENVIRONMENT=settings.environment,
        COREBANK_JWT_SECRET=settings.jwt_secret,
        COREBANK_DATA_KEYS=settings.data_keys,
        COREBANK_HASH_KEY=settings.hash_key,
        COLUMNS="200",
        NO_COLOR="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "corebank.cli.main", "ebank", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_a_teller_enrolls_and_resets_a_password_from_the_command_line(
    bank: Bank, staff: Staff, app_client: TestClient, settings: Settings
) -> None:
    p = person(bank, staff["teller"].actor)
    as_teller = ("--as-user", "teller")
    r = _cli(
        settings, "enroll", p.number, "--login", p.login_name, "--phone", p.phone, "--id-number", p.id_number,
        *as_teller, stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert PASSWORD not in r.stdout and f"enrolled in e-banking as {p.login_name}" in r.stdout
    assert start_login(app_client, p).status_code == 200
    code = last_code(bank, p.phone)
    r = _cli(settings, "outbox", "--phone", p.phone, "--last", "1")
    assert r.returncode == 0 and code in r.stdout and "login" in r.stdout

    r = _cli(settings, "reset-password", p.number, *as_teller)
    assert r.returncode == 0 and "temporary password:" in r.stdout
    temporary = r.stdout.split("temporary password:")[1].split()[0]
    assert start_login(app_client, p, password=temporary).status_code == 200
    r = _cli(settings, "show", p.number, "--as-user", "east_teller")
    assert r.returncode == 2 and "OUT_OF_BRANCH_SCOPE" in r.stdout
