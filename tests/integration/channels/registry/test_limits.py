"""Channel limits: every channel refuses an amount over each kind of limit (single, daily, yearly, count) with
LIMIT_EXCEEDED and counts nothing for it; a rolled-back transaction counts nothing; a customer may lower their
own limits but not raise them past the bank's; the most specific limit row wins; staff set and read limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corebank import customers
from corebank.channels import CHANNELS, limits
from corebank.channels.limit_schemas import LimitRuleSet
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.kernel.money import Money
from corebank.web.app import create_app
from tests.factories import ledger_state
from tests.integration.channels.registry.support import (
    audit_actions,
    check,
    customer_actor,
    customer_id,
    manager,
    used,
)
from tests.integration.conftest import PASSWORD, FreshBank

TX_OF = {
    "counter": "transfer",
    "internet": "transfer",
    "mobile": "transfer",
    "atm": "withdrawal",
    "pos": "purchase",
    "phone": "bill_payment",
    "open_api": "transfer",
}
# Each kind: the gold tier's row on the channel, what passes, and the one more that is refused.
KINDS: dict[str, tuple[dict[str, Any], list[str], str, str]] = {
    "single": ({"single": "100.00"}, ["100.00"], "100.01", "100.00"),
    "daily": ({"daily": "300.00"}, ["200.00", "100.00"], "0.01", "300.00"),
    "yearly": ({"yearly": "500.00"}, ["300.00"], "200.01", "500.00"),
    "count": ({"count": 2}, ["1.00", "1.00"], "1.00", "2"),
}


def refused(fn: Any) -> CoreBankError:
    with pytest.raises(CoreBankError) as exc:
        fn()
    return exc.value


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_refuses_each_kind_of_limit_and_counts_nothing_for_it(
    fresh_bank: FreshBank, channel: str, kind: str
) -> None:
    bank, tx_type = fresh_bank.bank, TX_OF[channel]
    values, passing, over, allowed = KINDS[kind]
    bank.run(
        limits.set_limit_rule,
        manager(fresh_bank),
        LimitRuleSet(channel=channel, tx_type=tx_type, tier="gold", **values),
    )
    _, cid = customer_id(bank, fresh_bank.teller)
    for amount in passing:
        check(bank, cid, channel, tx_type, amount, tier="gold")
    before = used(bank, cid, channel, tx_type)
    exc = refused(lambda: check(bank, cid, channel, tx_type, over, tier="gold"))
    assert exc.code == "LIMIT_EXCEEDED"
    assert {k: exc.extra[k] for k in ("limit", "allowed", "channel", "tx_type")} == {
        "limit": kind,
        "allowed": allowed,
        "channel": channel,
        "tx_type": tx_type,
    }
    assert used(bank, cid, channel, tx_type) == before
    assert before == (sum(Money.of(a, "CNY").to_minor() for a in passing), len(passing))


def test_the_defaults_hold_on_the_e_channels_and_the_atm(fresh_bank: FreshBank) -> None:
    bank = fresh_bank.bank
    _, cid = customer_id(bank, fresh_bank.teller)
    check(bank, cid, "internet", "transfer", "50000.00")
    assert refused(lambda: check(bank, cid, "internet", "transfer", "50000.01")).extra["limit"] == "single"
    for _ in range(3):
        check(bank, cid, "internet", "transfer", "50000.00")
    exc = refused(lambda: check(bank, cid, "internet", "transfer", "0.01"))
    assert (exc.extra["limit"], exc.extra["allowed"], exc.extra["remaining"]) == (
        "daily",
        "200000.00",
        "0.00",
    )
    check(bank, cid, "mobile", "transfer", "50000.00")  # each channel counts its own use
    check(bank, cid, "atm", "withdrawal", "2500.00")
    assert refused(lambda: check(bank, cid, "atm", "withdrawal", "2500.01")).extra["allowed"] == "2500.00"


def test_a_rolled_back_transaction_uses_nothing(fresh_bank: FreshBank) -> None:
    bank = fresh_bank.bank
    _, cid = customer_id(bank, fresh_bank.teller)

    def pay_then_fail(uow: Any) -> None:
        limits.check_and_record(
            uow,
            customer_id=cid,
            channel="mobile",
            tx_type="transfer",
            amount=Money.of("1000.00", "CNY"),
            account_class=1,
            tier="standard",
            strength="sms",
        )
        raise InvalidRequest("the payment failed after the limit check")

    with pytest.raises(InvalidRequest):
        bank.run(pay_then_fail)
    assert used(bank, cid, "mobile", "transfer") == (0, 0)


def test_a_refusal_inside_a_committed_transaction_counts_nothing(fresh_bank: FreshBank) -> None:
    """An ATM answers an over-limit request with code 61 and commits its journal: the refused amount must not
    stay counted."""
    bank = fresh_bank.bank
    _, cid = customer_id(bank, fresh_bank.teller)
    check(bank, cid, "atm", "withdrawal", "2000.00")

    def answer_61(uow: Any) -> str:
        try:
            limits.check_and_record(
                uow,
                customer_id=cid,
                channel="atm",
                tx_type="withdrawal",
                amount=Money.of("2500.00", "CNY"),
                account_class=1,
                tier="standard",
                strength="signed",
            )
        except CoreBankError as exc:
            return exc.code
        return "00"

    assert [bank.run(answer_61) for _ in range(7)] == ["00"] * 7
    assert used(bank, cid, "atm", "withdrawal") == (1_950_000, 8)
    # The daily limit is 20,000: 19,500 used, so another 2,500 is refused, twice, and nothing more is counted.
    assert [bank.run(answer_61) for _ in range(2)] == ["LIMIT_EXCEEDED"] * 2
    assert used(bank, cid, "atm", "withdrawal") == (1_950_000, 8)


def test_release_gives_back_a_reversed_withdrawal(fresh_bank: FreshBank) -> None:
    bank = fresh_bank.bank
    _, cid = customer_id(bank, fresh_bank.teller)
    check(bank, cid, "atm", "withdrawal", "2000.00")
    bank.run(
        lambda uow: limits.release(
            uow, customer_id=cid, channel="atm", tx_type="withdrawal", amount=Money.of("2000.00", "CNY")
        )
    )
    assert used(bank, cid, "atm", "withdrawal") == (0, 0)
    bank.run(  # never below zero
        lambda uow: limits.release(
            uow, customer_id=cid, channel="atm", tx_type="withdrawal", amount=Money.of("5.00", "CNY")
        )
    )
    assert used(bank, cid, "atm", "withdrawal") == (0, 0)


# ---------------------------------------------------------------- the customer's own limits


def test_a_customer_lowers_their_own_limit_and_cannot_raise_it(fresh_bank: FreshBank) -> None:
    bank = fresh_bank.bank
    number, cid = customer_id(bank, fresh_bank.teller)
    me = customer_actor(cid, "internet")
    read = bank.run(limits.set_customer_limit, me, cid, "internet", "transfer", "1000.00", "1500.00")
    assert (read.single, read.daily, read.bank_single, read.own_single) == (
        "1000.00",
        "1500.00",
        "50000.00",
        "1000.00",
    )
    exc = refused(lambda: check(bank, cid, "internet", "transfer", "1000.01"))
    assert (exc.extra["limit"], exc.extra["allowed"]) == ("single", "1000.00")
    check(bank, cid, "internet", "transfer", "1000.00")
    assert refused(lambda: check(bank, cid, "internet", "transfer", "500.01")).extra["limit"] == "daily"
    check(bank, cid, "mobile", "transfer", "5000.00")  # the lowered limit is the internet channel's only

    before = ledger_state(bank)
    exc = refused(
        lambda: bank.run(limits.set_customer_limit, me, cid, "internet", "transfer", "50000.01", None)
    )
    assert (exc.code, exc.extra["limit"], exc.extra["bank"]) == ("LIMIT_ABOVE_BANK", "single", "50000.00")
    exc = refused(
        lambda: bank.run(limits.set_customer_limit, me, cid, "internet", "transfer", None, "200000.01")
    )
    assert exc.code == "LIMIT_ABOVE_BANK"
    assert refused(
        lambda: bank.run(limits.set_customer_limit, me, cid, "internet", "transfer", "-1", None)
    ).code in (
        "INVALID_LIMIT",
        "INVALID_AMOUNT",
    )
    assert ledger_state(bank) == before
    mine = bank.run(
        limits.effective_limits,
        cid,
        "internet",
        tier="standard",
        account_class=1,
        strength="sms",
        readonly=True,
    )
    transfer = next(r for r in mine if r.tx_type == "transfer")
    assert (transfer.single, transfer.used_today, transfer.count_today, transfer.remaining_today) == (
        "1000.00",
        "1000.00",
        1,
        "500.00",
    )

    # Back to the bank's limit, and someone else's limits are "not found".
    back = bank.run(limits.set_customer_limit, me, cid, "internet", "transfer", None, None)
    assert (back.single, back.own_single) == ("50000.00", None)
    _, other = customer_id(bank, fresh_bank.teller)
    exc = refused(
        lambda: bank.run(limits.set_customer_limit, me, other, "internet", "transfer", "10.00", None)
    )
    assert exc.code == "NOT_FOUND"
    assert [a for a, o, _ in audit_actions(bank, "limit.customer_set") if o == number] == [
        "limit.customer_set"
    ] * 2


# ---------------------------------------------------------------- the most specific row


def test_the_most_specific_row_wins_per_field(fresh_bank: FreshBank) -> None:
    bank, chief = fresh_bank.bank, manager(fresh_bank)
    for row in (
        LimitRuleSet(channel="open_api", tx_type="transfer", tier="vip", single="100000.00"),
        LimitRuleSet(
            channel="open_api", tx_type="transfer", account_class=3, single="2000.00", daily="5000.00"
        ),
        LimitRuleSet(channel="open_api", tx_type="transfer", strength="password", single="1000.00"),
    ):
        bank.run(limits.set_limit_rule, chief, row)
    _, cid = customer_id(bank, fresh_bank.teller)

    def limits_for(tier: str, cls: int, strength: str) -> tuple[str | None, str | None]:
        rows = bank.run(
            limits.effective_limits,
            cid,
            "open_api",
            tier=tier,
            account_class=cls,
            strength=strength,
            readonly=True,
        )
        r = next(x for x in rows if x.tx_type == "transfer")
        return r.single, r.daily

    assert limits_for("standard", 1, "sms") == ("50000.00", "200000.00")  # the default
    assert limits_for("vip", 1, "sms") == ("100000.00", "200000.00")  # the tier's single, the default daily
    assert limits_for("vip", 3, "sms") == ("2000.00", "5000.00")  # the account class beats the tier
    assert limits_for("vip", 3, "password") == ("1000.00", "5000.00")  # the strength beats the class

    check(bank, cid, "open_api", "transfer", "60000.00", tier="vip")
    assert (
        refused(lambda: check(bank, cid, "open_api", "transfer", "60000.00")).extra["allowed"] == "50000.00"
    )
    exc = refused(lambda: check(bank, cid, "open_api", "transfer", "2000.01", tier="vip", account_class=3))
    assert exc.extra["allowed"] == "2000.00"
    exc = refused(
        lambda: check(
            bank, cid, "open_api", "transfer", "1000.01", tier="vip", account_class=3, strength="password"
        )
    )
    assert exc.extra["allowed"] == "1000.00"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"channel": "fax", "tx_type": "transfer", "single": "1"}, "CHANNEL_NOT_FOUND"),
        ({"channel": "internet", "tx_type": "wire", "single": "1"}, "UNKNOWN_TX_TYPE"),
        ({"channel": "internet", "tx_type": "transfer", "tier": "platinum", "single": "1"}, "INVALID_LIMIT"),
        ({"channel": "internet", "tx_type": "transfer", "account_class": 4, "single": "1"}, "INVALID_LIMIT"),
        ({"channel": "internet", "tx_type": "transfer", "strength": "face", "single": "1"}, "INVALID_LIMIT"),
        ({"channel": "internet", "tx_type": "transfer", "single": "-1.00"}, "INVALID_LIMIT"),
        ({"channel": "internet", "tx_type": "transfer", "single": "1.001"}, "INVALID_AMOUNT"),
        ({"channel": "internet", "tx_type": "transfer", "count": -1}, "INVALID_LIMIT"),
    ],
)
def test_a_bad_limit_row_is_refused_and_changes_nothing(
    fresh_bank: FreshBank, change: dict[str, Any], error: str
) -> None:
    bank = fresh_bank.bank
    chief = manager(fresh_bank)
    before, rules = ledger_state(bank), bank.run(limits.list_limit_rules, chief, readonly=True)
    exc = refused(lambda: bank.run(limits.set_limit_rule, chief, LimitRuleSet(**change)))
    assert exc.code == error
    assert ledger_state(bank) == before
    assert bank.run(limits.list_limit_rules, chief, readonly=True) == rules


def test_a_teller_may_not_change_the_banks_limits(fresh_bank: FreshBank) -> None:
    exc = refused(
        lambda: fresh_bank.bank.run(
            limits.set_limit_rule,
            fresh_bank.teller,
            LimitRuleSet(channel="pos", tx_type="purchase", single="1"),
        )
    )
    assert exc.code == "PERMISSION_DENIED"


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


def test_rest_sets_and_reads_limits(fresh_bank: FreshBank, client: TestClient) -> None:
    chief, teller = headers(client, "chief"), headers(client, "teller")
    body = {"channel": "pos", "tx_type": "purchase", "tier": "gold", "single": "8000.00", "count": 5}
    assert client.put("/api/v1/channels/limits", headers=teller, json=body).status_code == 403
    r = client.put("/api/v1/channels/limits", headers=chief, json=body)
    assert r.status_code == 200 and (r.json()["single"], r.json()["count"]) == ("8000.00", 5)
    rows = client.get("/api/v1/channels/limits", headers=teller, params={"channel": "pos"}).json()
    assert {(x["tier"], x["single"]) for x in rows} >= {("*", "50000.00"), ("gold", "8000.00")}
    r = client.put(
        "/api/v1/channels/limits",
        headers=chief,
        json={"channel": "pos", "tx_type": "purchase", "tier": "gold"},
    )
    assert r.status_code == 204  # no values left: the row is gone
    number, cid = customer_id(fresh_bank.bank, fresh_bank.teller)
    check(fresh_bank.bank, cid, "pos", "purchase", "120.00")
    r = client.get(f"/api/v1/customers/{number}/limits", headers=teller, params={"channel": "pos"})
    assert r.status_code == 200
    assert [(x["tx_type"], x["single"], x["used_today"], x["remaining_today"]) for x in r.json()] == [
        ("purchase", "50000.00", "120.00", "99880.00")
    ]
    r = client.put(
        f"/api/v1/customers/{number}/limits",
        headers=teller,
        json={"channel": "pos", "tx_type": "purchase", "single": "300.00"},
    )
    assert r.status_code == 200 and r.json()["single"] == "300.00"
    r = client.put(
        f"/api/v1/customers/{number}/limits",
        headers=teller,
        json={"channel": "pos", "tx_type": "purchase", "single": "60000.00"},
    )
    assert (r.status_code, r.json()["code"]) == (422, "LIMIT_ABOVE_BANK")
    assert client.get("/api/v1/customers/899999999/limits", headers=teller).status_code == 404


def test_a_customers_tier_picks_their_limits(fresh_bank: FreshBank, client: TestClient) -> None:
    bank = fresh_bank.bank
    bank.run(
        limits.set_limit_rule,
        manager(fresh_bank),
        LimitRuleSet(channel="mobile", tx_type="card", tier="vip", daily="9.00"),
    )
    number, cid = customer_id(bank, fresh_bank.teller)
    teller = headers(client, "teller")
    r = client.put(f"/api/v1/customers/{number}/tier", headers=teller, json={"tier": "vip"})
    assert (r.status_code, r.json()) == (200, {"number": number, "tier": "vip"})
    assert bank.run(customers.tier_of, cid, readonly=True) == "vip"
    r = client.get(f"/api/v1/customers/{number}/limits", headers=teller, params={"channel": "mobile"})
    assert ("card", "9.00") in [(x["tx_type"], x["daily"]) for x in r.json()]
    before = ledger_state(bank)
    r = client.put(f"/api/v1/customers/{number}/tier", headers=teller, json={"tier": "platinum"})
    assert (r.status_code, r.json()["code"]) == (422, "INVALID_TIER")
    assert ledger_state(bank) == before
    assert (
        client.put(
            f"/api/v1/customers/{number}/tier", headers=headers(client, "chief"), json={"tier": "gold"}
        ).status_code
        == 403
    )
    assert [a for a, o, _ in audit_actions(bank, "customer.tier") if o == number] == ["customer.tier"]
