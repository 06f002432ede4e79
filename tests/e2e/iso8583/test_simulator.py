"""`corebank atm simulate`, scripted: a person's withdrawal and balance inquiry through the real switch."""

from __future__ import annotations

from typer.testing import CliRunner

from corebank.bootstrap import Bank
from corebank.channels.atm import server
from corebank.cli.main import app
from tests.e2e.iso8583.conftest import PIN, PIN_KEY_HEX, Terminal, balances, issue_card
from tests.factories import Staff


def test_the_simulator_withdraws_cash_and_shows_the_balance(
    switch: server.SwitchServer, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    card = issue_card(bank, staff, "1000.00")
    runner = CliRunner()
    common = [
        "atm",
        "simulate",
        "--host",
        "127.0.0.1",
        "--port",
        str(switch.port),
        "--terminal",
        atm.terminal_id,
    ]
    common += ["--pin-key", PIN_KEY_HEX, "--pan", card.pan, "--pin", PIN]
    out = runner.invoke(app, [*common, "--withdraw", "200"])
    assert out.exit_code == 0, out.output
    assert "approved" in out.output and "take your cash" in out.output
    assert card.pan not in out.output
    assert balances(bank, [card.account_id])[card.account_id] == 80000
    shown = runner.invoke(app, [*common, "--balance"])
    assert shown.exit_code == 0 and "available 800.00 CNY" in shown.output
    refused = runner.invoke(app, [*common, "--withdraw", "5000"])
    assert refused.exit_code == 2 and "61" in refused.output  # over the ATM's single limit
    wrong = runner.invoke(app, [*common[:-1], "000111", "--balance"])
    assert wrong.exit_code == 2 and "wrong PIN" in wrong.output
