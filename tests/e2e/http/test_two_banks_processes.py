"""Two banks and the clearing house as real processes on one machine, as `scripts/two-banks.sh` runs them:
`corebank clearing serve` and two `corebank serve` (each with its own var dir, SQLite file, bank code and
clearing token), talking HTTP over sockets. One payment goes each way, both settle and are credited through
the banks' background senders and the simulator's netting and delivery loops, and `corebank reconcile run`
finds nothing to report. Always on SQLite files of its own, also in the PostgreSQL run."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.http.support import customer_body, key

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("COREBANK_TEST_DATABASE_URL")),
        reason="the acceptance test runs the two banks on PostgreSQL; this one proves the processes",
    ),
]

PASSWORD = "Two-process-pass-1"
CLI = [sys.executable, "-m", "corebank.cli.main"]
START_TIMEOUT = 60.0
SETTLE_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COREBANK_")}
    env.update(COLUMNS="200", NO_COLOR="1")
    return env


@dataclass
class BankProc:
    name: str
    code: str
    port: int
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*CLI, *args], input=stdin, capture_output=True, text=True, env=self.env, timeout=180
        )
        assert done.returncode == 0, f"corebank {' '.join(args)}: {done.stdout}\n{done.stderr}"
        return done


def _bank(tmp: Path, name: str, code: str, clearing_port: int) -> BankProc:
    port = _free_port()
    var = tmp / name
    env = _base_env()
    env.update(
        COREBANK_VAR_DIR=str(var),
        COREBANK_DATABASE_URL=f"sqlite:///{var / 'corebank.db'}",
        COREBANK_PORT=str(port),
        COREBANK_BANK_CODE=code,
        COREBANK_BANK_NAME=f"Bank {name.upper()}",
        COREBANK_CLEARING_URL=f"http://127.0.0.1:{clearing_port}",
        COREBANK_CLEARING_TOKEN=f"bank-{name}-process-token",
        # BEPS carries both payments (7x24); a cut-off at 23:59 keeps them on today's date at any hour.
        COREBANK_INTERBANK_CUTOFF="23:59",
        COREBANK_CLEARING_SEND_INTERVAL_SECONDS="0.5",
    )
    return BankProc(name, code, port, env)


def _together(commands: list[tuple[list[str], dict[str, str], str | None]]) -> None:
    """Run commands side by side (argv, environment, standard input); each must succeed."""
    procs = [
        subprocess.Popen(
            args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for args, env, _stdin in commands
    ]
    for proc, (args, _env, stdin) in zip(procs, commands, strict=True):
        try:
            out, _ = proc.communicate(stdin, timeout=180)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        assert proc.returncode == 0, f"{' '.join(args[3:])}: {out}"


class Processes:
    """Servers started by the test, stopped (terminate, then kill) whatever happens."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def wait_healthy(self, name: str, url: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.procs[name].poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{name} did not start:\n{self.log(name)}")
            time.sleep(0.2)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def banks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BankProc, BankProc, Processes]]:
    tmp = tmp_path_factory.mktemp("two-bank-processes")
    clearing_port = _free_port()
    a = _bank(tmp, "a", "313100000021", clearing_port)
    b = _bank(tmp, "b", "104100000045", clearing_port)
    # Both banks at once: each command is a few seconds of start-up, migrations and reference data.
    _together([([*CLI, "init"], m.env, None) for m in (a, b)])
    for role in ("teller", "accountant"):
        user = "teller" if role == "teller" else "clerk"
        args = ["user", "add", "--role", role, "--password-stdin"]
        _together([([*CLI, *args, f"{user}_{m.name}"], m.env, f"{PASSWORD}\n") for m in (a, b)])
    db = str(tmp / "clearing.db")
    env = _base_env()
    for m in (a, b):
        subprocess.run(
            [*CLI, "clearing", "participant", "add", m.code, "--name", f"Bank {m.name.upper()}",
             "--url", m.url, "--token", m.env["COREBANK_CLEARING_TOKEN"], "--db", db],
            env=env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    procs = Processes(tmp)
    try:
        procs.start(
            "clearing",
            [*CLI, "clearing", "serve", "--port", str(clearing_port), "--db", db, "--beps-interval", "1"],
            env,
        )
        for m in (a, b):
            procs.start(m.name, [*CLI, "serve"], m.env)
        procs.wait_healthy("clearing", f"http://127.0.0.1:{clearing_port}")
        for m in (a, b):
            procs.wait_healthy(m.name, m.url)
        yield a, b, procs
    finally:
        procs.stop()


def _teller(m: BankProc) -> httpx.Client:
    client = httpx.Client(base_url=f"{m.url}/api/v1", timeout=30)
    r = client.post("/auth/token", data={"username": f"teller_{m.name}", "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    r = client.post("/tills", json={"opening_cash": "50000.00"})
    assert r.status_code == 201, r.text
    return client


def _funded_account(client: httpx.Client, amount: str) -> dict[str, Any]:
    r = client.post("/customers", json=customer_body())
    assert r.status_code == 201, r.text
    body = {"customer_number": r.json()["number"], "product_code": "DEMAND_CNY", "opening_deposit": amount}
    r = client.post("/accounts", json=body, headers={"Idempotency-Key": key()})
    assert r.status_code == 201, r.text
    return r.json()


def _pay(
    client: httpx.Client, payer: dict[str, Any], to: BankProc, payee: dict[str, Any], amount: str
) -> Any:
    body = {
        "from_account": payer["number"],
        "creditor_bank_code": to.code,
        "creditor_account": payee["number"],
        "creditor_name": payee["name"],
        "amount": amount,
    }
    r = client.post("/payments/interbank", json=body, headers={"Idempotency-Key": key()})
    assert r.status_code == 201, r.text
    return r.json()


def _until(what: str, check: Callable[[], bool], procs: Processes) -> None:
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n" + "\n".join(map(procs.log, procs.procs)))
        time.sleep(0.3)


def test_two_bank_processes_pay_each_other_and_reconcile_to_zero(
    banks: tuple[BankProc, BankProc, Processes],
) -> None:
    a, b, procs = banks
    ta, tb = _teller(a), _teller(b)
    try:
        acc_a, acc_b = _funded_account(ta, "5000.00"), _funded_account(tb, "3000.00")
        there = _pay(ta, acc_a, b, acc_b, "800.00")
        back = _pay(tb, acc_b, a, acc_a, "120.50")
        assert (there["system"], back["system"]) == ("BEPS", "BEPS")
        day = there["value_date"]

        def settled(client: httpx.Client, payment: Any) -> bool:
            return bool(client.get(f"/payments/{payment['payment_id']}").json()["status"] == "settled")

        def credited(client: httpx.Client, account: dict[str, Any], balance: str) -> bool:
            return bool(client.get(f"/accounts/{account['number']}").json()["balance"] == balance)

        _until("A's payment to settle", lambda: settled(ta, there), procs)
        _until("B's payment to settle", lambda: settled(tb, back), procs)
        # Each balance: opening deposit - what it paid - the counter fee (5.00) + what it received.
        _until("B to credit 800.00", lambda: credited(tb, acc_b, "3674.50"), procs)
        _until("A to credit 120.50", lambda: credited(ta, acc_a, "4315.50"), procs)
    finally:
        ta.close()
        tb.close()

    report = a.cli("reconcile", "run", "--date", day, "--as-user", "clerk_a").stdout
    assert re.search(rf"Reconciliation run \d+: {day} \(matched\)", report), report
    assert re.search(r"rows in file\s*│\s*2\s", report), report  # A's payment out and B's in
    assert re.search(r"exceptions found\s*│\s*0 \(0 new", report), report
    assert re.search(r"GL 1011 clearing suspense\s*│\s*0\.00 CNY", report), report
