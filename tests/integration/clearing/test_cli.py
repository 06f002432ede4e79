"""The `corebank clearing` command line: participants, a BEPS cycle and the settlement file written to disk
(in-process through Typer's runner), and one real `corebank clearing serve` subprocess taking a pacs.008 over
a socket."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from corebank import iso20022 as iso
from corebank.clearing import ClearingHouse, ClearingSettings
from corebank.cli import main
from tests.integration.clearing.conftest import BANK_A, BANK_B, TOKENS, pacs008, transfer


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COREBANK_")}
    env.update(COLUMNS="200", NO_COLOR="1")
    return env


def clearing_cli(*args: str) -> Result:
    return CliRunner().invoke(main.app, ["clearing", *args], env={"COLUMNS": "200", "NO_COLOR": "1"})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class BankInbound:
    """A real HTTP listener standing for the banks' /api/v1/clearing/inbound; records what arrives."""

    url: str
    received: list[tuple[str, str, bytes]] = field(default_factory=list)  # (path, token, body)


@pytest.fixture
def inbound() -> Iterator[BankInbound]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    bank = BankInbound(f"http://127.0.0.1:{server.server_address[1]}")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            bank.received.append((self.path, self.headers["X-Clearing-Token"], body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield bank
    server.shutdown()
    server.server_close()


@pytest.fixture
def members(tmp_path: Path, inbound: BankInbound) -> Path:
    db = tmp_path / "clearing.db"
    for code, balance in ((BANK_A, "1000.00"), (BANK_B, "0")):
        done = clearing_cli(
            "participant", "add", code, "--name", f"Bank {code}", "--url", inbound.url,
            "--token", TOKENS[code], "--balance", balance, "--db", str(db),
        )  # fmt: skip
        assert done.exit_code == 0, done.output
    return db


@pytest.fixture
def served(tmp_path: Path, members: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "corebank.cli.main", "clearing", "serve", "--port", str(port), "--db", str(members),
         "--always-open", "--beps-interval", "0"],
        env=_env(), cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the simulator did not start: {(tmp_path / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_a_served_simulator_settles_a_pacs008_and_delivers_it_over_the_network(
    served: str, tmp_path: Path, members: Path, inbound: BankInbound
) -> None:
    tx = transfer("400.00")
    response = httpx.post(
        f"{served}/messages",
        content=pacs008(tx),
        headers={"Content-Type": "application/xml", "X-Clearing-Token": TOKENS[BANK_A]},
        timeout=30,
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert [s.status for s in iso.parse_pacs002(response.content).statuses] == ["ACSC"]
    listing = httpx.get(f"{served}/participants", timeout=10).json()
    assert {p["code"]: p["balance"] for p in listing} == {BANK_A: "600.00", BANK_B: "400.00"}

    deadline = time.monotonic() + 20  # the server's delivery loop pushes it to bank B by itself
    while not inbound.received and time.monotonic() < deadline:
        time.sleep(0.1)
    [(path, token, body)] = inbound.received
    assert (path, token) == ("/api/v1/clearing/inbound", TOKENS[BANK_B])
    assert iso.parse_pacs008(body).transactions == (tx,)

    out = tmp_path / "a.csv"
    done = clearing_cli(
        "settlement-file",
        "--date",
        "2026-03-02",
        "--participant",
        BANK_A,
        "-o",
        str(out),
        "--db",
        str(members),
    )
    assert done.exit_code == 0, done.output
    [row] = list(csv.DictReader(out.open()))
    assert (row["tx_id"], row["amount"], row["status"], row["direction"]) == (
        tx.tx_id,
        "400.00",
        "settled",
        "debit",
    )


def test_cli_runs_a_beps_cycle_and_lists_balances(tmp_path: Path, members: Path) -> None:
    house = ClearingHouse(ClearingSettings(database_url=f"sqlite:///{members}"))
    house.receive(TOKENS[BANK_A], pacs008(transfer("250.00"), system=iso.BEPS))
    house.close()

    settled = clearing_cli("settle-beps", "--db", str(members))
    listed = clearing_cli("participant", "list", "--db", str(members))
    refused = clearing_cli(
        "participant", "add", "12345", "--name", "X", "--url", "http://x.test", "--token", "tok-x-123456",
        "--db", str(members),
    )  # fmt: skip

    assert settled.exit_code == 0 and "1 settled (250.00 CNY)" in settled.output, settled.output
    assert BANK_A in listed.output and "750.00" in listed.output and "250.00" in listed.output
    assert refused.exit_code == 2 and "INVALID_PARTICIPANT" in refused.output
