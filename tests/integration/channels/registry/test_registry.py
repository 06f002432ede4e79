"""The channel registry: closing a channel or one transaction type refuses the next request at once (in every
process), opening lets it through again, every change is audited, and bad requests change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corebank import bootstrap
from corebank.channels import CHANNELS, registry
from corebank.cli import channels as channels_cli
from corebank.cli.main import app as cli_app
from corebank.kernel.errors import CoreBankError
from corebank.web.app import create_app
from tests.factories import ledger_state
from tests.integration.channels.registry.support import audit_actions, manager
from tests.integration.conftest import PASSWORD, FreshBank


def require_open(fb: FreshBank | bootstrap.Bank, channel: str, tx_type: str) -> str:
    """ "OK", or the code the registry refuses with."""
    bank = fb.bank if isinstance(fb, FreshBank) else fb
    try:
        bank.run(registry.require_open, channel, tx_type, readonly=True)
    except CoreBankError as exc:
        return exc.code
    return "OK"


def test_every_channel_and_type_is_open_at_first(fresh_bank: FreshBank) -> None:
    assert all(require_open(fresh_bank, ch, tx) == "OK" for ch in CHANNELS for tx in registry.TX_TYPES)
    listed = fresh_bank.bank.run(registry.list_channels, manager(fresh_bank), readonly=True)
    assert [(c.code, c.status, c.closed_types) for c in listed] == [(ch, "open", []) for ch in CHANNELS]


def test_a_closed_channel_refuses_every_type_until_opened(fresh_bank: FreshBank) -> None:
    chief = manager(fresh_bank)
    closed = fresh_bank.bank.run(registry.close_channel, chief, "mobile", None, "app release")
    assert (closed.status, closed.closed.closed_by, closed.closed.reason) == (
        "closed",
        "chief",
        "app release",
    )  # type: ignore[union-attr]
    assert {require_open(fresh_bank, "mobile", tx) for tx in registry.TX_TYPES} == {"CHANNEL_CLOSED"}
    assert require_open(fresh_bank, "internet", "transfer") == "OK"
    opened = fresh_bank.bank.run(registry.open_channel, chief, "mobile", None, "released")
    assert opened.status == "open"
    assert require_open(fresh_bank, "mobile", "transfer") == "OK"
    assert [(a, o, d["tx_type"]) for a, o, d in audit_actions(fresh_bank.bank, "channel.")][-2:] == [
        ("channel.close", "mobile", "*"),
        ("channel.open", "mobile", "*"),
    ]


def test_a_closed_type_refuses_only_that_type(fresh_bank: FreshBank) -> None:
    chief = manager(fresh_bank)
    read = fresh_bank.bank.run(registry.close_channel, chief, "atm", "withdrawal", "cash run")
    assert read.status == "open" and [c.tx_type for c in read.closed_types] == ["withdrawal"]
    assert require_open(fresh_bank, "atm", "withdrawal") == "CHANNEL_TX_CLOSED"
    assert require_open(fresh_bank, "atm", "balance_inquiry") == "OK"
    # Opening the whole channel leaves the type closed on its own closed.
    fresh_bank.bank.run(registry.close_channel, chief, "atm", None, "")
    assert require_open(fresh_bank, "atm", "balance_inquiry") == "CHANNEL_CLOSED"
    fresh_bank.bank.run(registry.open_channel, chief, "atm", None, "")
    assert require_open(fresh_bank, "atm", "withdrawal") == "CHANNEL_TX_CLOSED"
    fresh_bank.bank.run(registry.open_channel, chief, "atm", "withdrawal", "")
    assert require_open(fresh_bank, "atm", "withdrawal") == "OK"


def test_closing_twice_changes_nothing_more(fresh_bank: FreshBank) -> None:
    chief = manager(fresh_bank)
    fresh_bank.bank.run(registry.close_channel, chief, "phone", "login", "first")
    before = len(audit_actions(fresh_bank.bank, "channel."))
    again = fresh_bank.bank.run(registry.close_channel, chief, "phone", "login", "second")
    assert [c.reason for c in again.closed_types] == ["first"]
    assert len(audit_actions(fresh_bank.bank, "channel.")) == before
    fresh_bank.bank.run(registry.open_channel, chief, "phone", "login", "")


def test_a_closure_holds_at_once_in_another_process(fresh_bank: FreshBank) -> None:
    other = bootstrap.build(fresh_bank.bank.settings)  # its own engine and connections, as a second worker
    try:
        assert require_open(other, "pos", "purchase") == "OK"
        fresh_bank.bank.run(registry.close_channel, manager(fresh_bank), "pos", None, "switch maintenance")
        assert require_open(other, "pos", "purchase") == "CHANNEL_CLOSED"
        fresh_bank.bank.run(registry.open_channel, manager(fresh_bank), "pos", None, "")
        assert require_open(other, "pos", "purchase") == "OK"
    finally:
        other.dispose()


def test_closing_the_counter_is_recorded_and_says_what_it_does(fresh_bank: FreshBank) -> None:
    chief = manager(fresh_bank)
    read = fresh_bank.bank.run(registry.close_channel, chief, "counter", None, "drill")
    assert read.status == "closed" and "teller services do not consult the registry" in read.note
    fresh_bank.bank.run(registry.open_channel, chief, "counter", None, "")


@pytest.mark.parametrize(
    ("who", "code", "tx_type", "error"),
    [
        ("chief", "fax", None, "CHANNEL_NOT_FOUND"),
        ("chief", "internet", "wire", "UNKNOWN_TX_TYPE"),
        ("teller", "internet", None, "PERMISSION_DENIED"),
    ],
)
def test_bad_closures_are_refused_and_change_nothing(
    fresh_bank: FreshBank, who: str, code: str, tx_type: str | None, error: str
) -> None:
    manager(fresh_bank)
    before = ledger_state(fresh_bank.bank)
    with pytest.raises(CoreBankError) as exc:
        fresh_bank.bank.run(registry.close_channel, fresh_bank.actors[who], code, tx_type, "")
    assert exc.value.code == error
    assert ledger_state(fresh_bank.bank) == before
    assert require_open(fresh_bank, "internet", "transfer") == "OK"


def test_require_open_names_an_unknown_channel(fresh_bank: FreshBank) -> None:
    assert require_open(fresh_bank, "telex", "transfer") == "CHANNEL_NOT_FOUND"


# ---------------------------------------------------------------- REST and the command line


@pytest.fixture(scope="module")
def client(fresh_bank: FreshBank) -> Iterator[TestClient]:
    manager(fresh_bank)
    with TestClient(create_app(fresh_bank.bank)) as c:
        yield c


def headers(client: TestClient, name: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_rest_lists_closes_and_opens(fresh_bank: FreshBank, client: TestClient) -> None:
    chief, teller = headers(client, "chief"), headers(client, "teller")
    r = client.get("/api/v1/channels", headers=teller)
    assert r.status_code == 200 and [c["code"] for c in r.json()] == list(CHANNELS)
    r = client.post(
        "/api/v1/channels/open_api/close", headers=chief, json={"tx_type": "transfer", "reason": "x"}
    )
    assert r.status_code == 200 and r.json()["closed_types"][0]["tx_type"] == "transfer"
    r = client.post("/api/v1/channels/open_api/close", headers=chief)  # no body: the whole channel
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert client.get("/api/v1/channels/open_api", headers=teller).json()["status"] == "closed"
    assert client.post("/api/v1/channels/open_api/close", headers=teller).status_code == 403
    assert client.post("/api/v1/channels/open_api/open", headers=chief).json()["status"] == "open"
    r = client.post("/api/v1/channels/open_api/open", headers=chief, json={"tx_type": "transfer"})
    assert r.json()["closed_types"] == []
    r = client.get("/api/v1/channels/fax", headers=teller)
    assert (r.status_code, r.json()["code"]) == (404, "CHANNEL_NOT_FOUND")
    assert client.get("/api/v1/channels").status_code == 401


def test_cli_lists_closes_and_opens(fresh_bank: FreshBank, monkeypatch: pytest.MonkeyPatch) -> None:
    manager(fresh_bank)
    monkeypatch.setattr(channels_cli, "build_bank", lambda: fresh_bank.bank)
    cli = CliRunner()
    r = cli.invoke(
        cli_app,
        [
            "channel",
            "close",
            "phone",
            "--tx-type",
            "transfer",
            "--reason",
            "fraud wave",
            "--as-user",
            "chief",
        ],
    )
    assert r.exit_code == 0, r.output
    assert require_open(fresh_bank, "phone", "transfer") == "CHANNEL_TX_CLOSED"
    r = cli.invoke(cli_app, ["channel", "list", "--as-user", "teller"])
    assert r.exit_code == 0 and "fraud wave" in r.output
    r = cli.invoke(cli_app, ["channel", "open", "phone", "--tx-type", "transfer", "--as-user", "chief"])
    assert r.exit_code == 0, r.output
    assert require_open(fresh_bank, "phone", "transfer") == "OK"
    r = cli.invoke(cli_app, ["channel", "close", "phone", "--as-user", "teller"])
    assert r.exit_code == 2 and "PERMISSION_DENIED" in r.output
