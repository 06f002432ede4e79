"""The fee table: the DOMAIN defaults (counter interbank bands, e-channels free, VIP waived), the most specific
rule and band, a change taking effect for the teller's next interbank transfer, bad rules refused unchanged."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corebank import customers
from corebank.cli import channels as channels_cli
from corebank.cli.common import console
from corebank.cli.main import app as cli_app
from corebank.kernel.errors import CoreBankError
from corebank.kernel.money import Money
from corebank.payments import interbank
from corebank.payments.interbank_schemas import InterbankCreate
from corebank.products import fee_schedule
from corebank.products.fee_schemas import FeeRuleSet
from corebank.web.app import create_app
from tests.factories import funded_account, ledger_state
from tests.integration.channels.registry.support import audit_actions, manager
from tests.integration.conftest import PASSWORD, FreshBank
from tests.integration.payments.interbank_support import OTHER_BANK

_keys = itertools.count(1)


def quote(
    fb: FreshBank, amount: str, channel: str = "counter", tier: str = "standard", branch: str = "0001"
) -> str:
    fee = fb.bank.run(
        lambda uow: fee_schedule.quote(
            uow,
            tx_type="interbank",
            channel=channel,
            tier=tier,
            branch_code=branch,
            amount=Money.of(amount, "CNY"),
        ),
        readonly=True,
    )
    return fee.text()  # type: ignore[no-any-return]


def send(fb: FreshBank, payer: str, amount: str) -> str:
    """The teller's interbank transfer at the counter; the fee charged."""
    cmd = InterbankCreate(
        from_account=payer,
        creditor_bank_code=OTHER_BANK,
        creditor_account="6222000011112222",
        creditor_name="Li Na",
        amount=amount,
    )
    paid = fb.bank.run(interbank.send_interbank, fb.teller, cmd, f"fee-{next(_keys)}")
    return paid.fee  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("amount", "channel", "tier", "fee"),
    [
        ("0.01", "counter", "standard", "5.00"),
        ("10000.00", "counter", "standard", "5.00"),
        ("10000.01", "counter", "gold", "10.00"),
        ("100000.00", "counter", "standard", "10.00"),
        ("500000.00", "counter", "standard", "15.00"),
        ("1000000.00", "counter", "standard", "20.00"),
        ("2000000.00", "counter", "standard", "40.00"),  # 0.002 %
        ("1234567.89", "counter", "standard", "24.69"),  # 24.6913578, rounded half up
        ("50000000.00", "counter", "standard", "200.00"),  # capped
        ("1000000.00", "internet", "standard", "0.00"),  # e-channel transfers are free
        ("1000000.00", "mobile", "standard", "0.00"),
        ("1000000.00", "open_api", "standard", "0.00"),
        ("1000000.00", "counter", "vip", "0.00"),  # the VIP tier is waived
        ("50000000.00", "counter", "vip", "0.00"),
    ],
)
def test_the_default_fees_are_domains(
    fresh_bank: FreshBank, amount: str, channel: str, tier: str, fee: str
) -> None:
    assert quote(fresh_bank, amount, channel, tier) == fee


def test_no_rule_no_fee(fresh_bank: FreshBank) -> None:
    fee = fresh_bank.bank.run(
        lambda uow: fee_schedule.quote(
            uow,
            tx_type="transfer",
            channel="counter",
            tier="standard",
            branch_code="0001",
            amount=Money.of("9", "CNY"),
        ),
        readonly=True,
    )
    assert fee == Money.zero("CNY")


def test_a_fee_change_holds_for_the_tellers_next_interbank_transfer(fresh_bank: FreshBank) -> None:
    bank, chief = fresh_bank.bank, manager(fresh_bank)
    payer = funded_account(bank, fresh_bank.teller, "100000.00")
    assert send(fresh_bank, payer.number, "8000.00") == "5.00"
    bank.run(
        fee_schedule.set_fee_rule,
        chief,
        FeeRuleSet(tx_type="interbank", channel="counter", band_upto="10000.00", fixed_fee="7.50"),
    )
    assert send(fresh_bank, payer.number, "8000.00") == "7.50"
    assert send(fresh_bank, payer.number, "20000.00") == "10.00"  # the other bands are as they were
    bank.run(
        fee_schedule.set_fee_rule,
        chief,
        FeeRuleSet(tx_type="interbank", channel="counter", band_upto="10000.00", fixed_fee="5.00"),
    )
    (_, _, detail) = audit_actions(bank, "fee.set")[-1]
    assert (detail["before"]["fixed_fee"], detail["after"]["fixed_fee"]) == ("7.50", "5.00")


def test_a_vip_pays_no_counter_fee(fresh_bank: FreshBank) -> None:
    bank = fresh_bank.bank
    payer = funded_account(bank, fresh_bank.teller, "50000.00")
    assert send(fresh_bank, payer.number, "1000.00") == "5.00"
    bank.run(customers.set_tier, fresh_bank.teller, payer.customer_number, "vip")
    assert send(fresh_bank, payer.number, "1000.00") == "0.00"


def test_the_most_specific_rule_and_the_lowest_band_win(fresh_bank: FreshBank) -> None:
    bank, chief = fresh_bank.bank, manager(fresh_bank)
    # Branch 0002's counter: 2.00 for transfers up to 50,000; above that the bank's bands apply.
    bank.run(
        fee_schedule.set_fee_rule,
        chief,
        FeeRuleSet(
            tx_type="interbank", channel="counter", branch_code="0002", band_upto="50000.00", fixed_fee="2.00"
        ),
    )
    # Gold customers: 1.00 everywhere (a tier beats a channel and a branch).
    bank.run(fee_schedule.set_fee_rule, chief, FeeRuleSet(tx_type="interbank", tier="gold", fixed_fee="1.00"))
    assert quote(fresh_bank, "40000.00", branch="0002") == "2.00"
    assert quote(fresh_bank, "60000.00", branch="0002") == "10.00"
    assert quote(fresh_bank, "40000.00", branch="0001") == "10.00"
    assert quote(fresh_bank, "40000.00", tier="gold", branch="0002") == "1.00"
    assert quote(fresh_bank, "40000.00", channel="mobile", tier="gold") == "1.00"
    # A band switched off is passed over.
    bank.run(
        fee_schedule.set_fee_rule,
        chief,
        FeeRuleSet(tx_type="interbank", tier="gold", fixed_fee="1.00", active=False),
    )
    assert quote(fresh_bank, "40000.00", tier="gold", branch="0002") == "2.00"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"tx_type": "Interbank!"}, "INVALID_FEE_RULE"),
        ({"tx_type": "interbank", "channel": "fax"}, "INVALID_FEE_RULE"),
        ({"tx_type": "interbank", "tier": "platinum"}, "INVALID_FEE_RULE"),
        ({"tx_type": "interbank", "branch_code": "9999"}, "INVALID_FEE_RULE"),
        ({"tx_type": "interbank", "rate": "abc"}, "INVALID_FEE_RULE"),
        ({"tx_type": "interbank", "rate": "1.5"}, "INVALID_FEE_RULE"),
        ({"tx_type": "interbank", "fixed_fee": "-1.00"}, "INVALID_FEE_RULE"),
        ({"tx_type": "interbank", "cap": "0.001"}, "INVALID_AMOUNT"),
    ],
)
def test_a_bad_fee_rule_is_refused_and_changes_nothing(
    fresh_bank: FreshBank, change: dict[str, str], error: str
) -> None:
    bank, chief = fresh_bank.bank, manager(fresh_bank)
    before, table = ledger_state(bank), bank.run(fee_schedule.list_fee_rules, chief, readonly=True)
    with pytest.raises(CoreBankError) as exc:
        bank.run(fee_schedule.set_fee_rule, chief, FeeRuleSet(**change))
    assert exc.value.code == error
    assert ledger_state(bank) == before
    assert bank.run(fee_schedule.list_fee_rules, chief, readonly=True) == table


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


def test_rest_lists_sets_and_quotes_fees(fresh_bank: FreshBank, client: TestClient) -> None:
    chief, teller = headers(client, "chief"), headers(client, "teller")
    rows = client.get("/api/v1/channels/fees", headers=teller, params={"tx_type": "interbank"}).json()
    assert ("counter", "*", "10000.00", "5.00") in [
        (r["channel"], r["tier"], r["band_upto"], r["fixed_fee"]) for r in rows
    ]
    body = {"tx_type": "bill_payment", "channel": "counter", "fixed_fee": "1.00"}
    assert client.put("/api/v1/channels/fees", headers=teller, json=body).status_code == 403
    r = client.put("/api/v1/channels/fees", headers=chief, json=body)
    assert r.status_code == 200 and (r.json()["fixed_fee"], r.json()["band_upto"]) == ("1.00", None)
    r = client.post(
        "/api/v1/channels/fees/quote",
        headers=teller,
        json={"tx_type": "interbank", "channel": "counter", "amount": "2000000.00"},
    )
    assert r.status_code == 200 and (r.json()["fee"], r.json()["currency"]) == ("40.00", "CNY")
    r = client.post(
        "/api/v1/channels/fees/quote", headers=teller, json={"tx_type": "bill_payment", "amount": "10"}
    )
    assert r.json()["fee"] == "1.00"
    r = client.post(
        "/api/v1/channels/fees/quote", headers=teller, json={"tx_type": "interbank", "amount": "-1"}
    )
    assert (r.status_code, r.json()["code"]) == (422, "INVALID_AMOUNT")


def test_cli_sets_lists_and_quotes_fees(fresh_bank: FreshBank, monkeypatch: pytest.MonkeyPatch) -> None:
    manager(fresh_bank)
    monkeypatch.setattr(channels_cli, "build_bank", lambda: fresh_bank.bank)
    monkeypatch.setattr(console, "_width", 200)  # the tables' columns whole
    cli = CliRunner()
    r = cli.invoke(
        cli_app,
        [
            "channel",
            "set-fee",
            "points_redeem",
            "--channel",
            "mobile",
            "--fixed",
            "0.50",
            "--as-user",
            "chief",
        ],
    )
    assert r.exit_code == 0, r.output
    r = cli.invoke(
        cli_app, ["channel", "quote", "points_redeem", "100.00", "--channel", "mobile", "--as-user", "teller"]
    )
    assert r.exit_code == 0 and "fee 0.50 CNY" in r.output
    r = cli.invoke(cli_app, ["channel", "fees", "--tx-type", "points_redeem", "--as-user", "teller"])
    assert r.exit_code == 0 and "0.50" in r.output
    r = cli.invoke(
        cli_app, ["channel", "set-limit", "mobile", "points_redeem", "--single", "500", "--as-user", "chief"]
    )
    assert r.exit_code == 0, r.output
    r = cli.invoke(cli_app, ["channel", "limits", "--channel", "mobile", "--as-user", "teller"])
    assert r.exit_code == 0 and "points_redeem" in r.output
    r = cli.invoke(cli_app, ["channel", "set-fee", "interbank", "--rate", "2", "--as-user", "chief"])
    assert r.exit_code == 2 and "INVALID_FEE_RULE" in r.output
