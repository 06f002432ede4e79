"""Points over two years of one bank: earned at end of day on card spending and on a month's deposits,
redeemed oldest first into the customer's own account, and expired. The tests run in order on a bank of their
own (its business date only moves forward)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from corebank import accounts, ledger
from corebank.channels import points, points_jobs, registry
from corebank.channels.points_schemas import RedemptionCreate
from corebank.deposits import time_deposits
from corebank.deposits.time_schemas import TimeDepositOpen
from corebank.kernel.errors import CoreBankError
from corebank.ledger import chart
from corebank.security import SYSTEM
from tests.factories import deposit, ledger_state, new_account, new_customer
from tests.integration.channels.points.support import (
    card_purchase,
    customer_actor,
    lots,
    moves,
    reverse,
    run_steps,
)
from tests.integration.conftest import FreshBank


@dataclass(frozen=True)
class People:
    ann: str  # customer numbers
    ann_account: str
    bob: str
    bob_account: str
    cid: str
    cid_account: str


@pytest.fixture(scope="module")
def people(fresh_bank: FreshBank) -> People:
    """On 2026-06-01: Ann pays in 100,000.00 and puts 50,000.00 of it in a 12-month time deposit; Bob pays in
    1,000.00; Cid 500.00."""
    fb = fresh_bank
    made = []
    for funds in ("100000.00", "1000.00", "500.00"):
        cust = new_customer(fb.bank, fb.teller)
        acc = new_account(fb.bank, fb.teller, cust.number)
        deposit(fb.bank, fb.teller, acc.number, funds)
        made += [cust.number, acc.number]
    fb.bank.run(
        time_deposits.open_time_deposit,
        fb.teller,
        TimeDepositOpen(from_account=made[1], term_months=12, amount="50000.00"),
        "points-td-ann",
    )
    return People(*made)


def balance(fb: FreshBank, number: str) -> Decimal:
    return Decimal(fb.bank.run(accounts.get_account, fb.teller, number, readonly=True).balance)


def test_card_spending_earns_points_once(fresh_bank: FreshBank, people: People) -> None:
    fb = fresh_bank
    day = fb.business_date()
    assert day == date(2026, 6, 1)
    card_purchase(fb.bank, people.ann_account, "123.45")
    card_purchase(fb.bank, people.ann_account, "50.00")
    voided = card_purchase(fb.bank, people.bob_account, "99.99")
    reverse(fb.bank, voided)
    card_purchase(fb.bank, people.bob_account, "0.50")  # half a point: none

    run_steps(fb.bank, day)

    assert lots(fb.bank, people.ann) == [
        {
            "kind": "card_spend",
            "ref": "2026-06-01",
            "points": 173,  # floor(173.45 yuan × 1)
            "remaining": 173,
            "earned_on": day,
            "expires_on": date(2028, 5, 31),  # 730 days on
        }
    ]
    assert moves(fb.bank, people.ann) == [("earn", 173)]
    assert lots(fb.bank, people.bob) == []  # the voided purchase earns nothing
    # Running the day again earns nothing twice.
    run_steps(fb.bank, day)
    assert [lot["points"] for lot in lots(fb.bank, people.ann)] == [173]
    assert moves(fb.bank, people.ann) == [("earn", 173)]
    # Not a month's last day: the holdings step has nothing to do.
    assert fb.bank.run(points_jobs.holdings_upper_bound, day, readonly=True) == 0


def test_holdings_earn_on_the_months_average_daily_balance(fresh_bank: FreshBank, people: People) -> None:
    fb = fresh_bank
    fb.move_to(date(2026, 6, 16))
    deposit(fb.bank, fb.teller, people.bob_account, "300000.00")
    run_steps(fb.bank, date(2026, 6, 16))
    assert lots(fb.bank, people.bob) == []

    month_end = date(2026, 6, 30)
    fb.move_to(month_end)
    run_steps(fb.bank, month_end)

    # Ann: 49,826.55 on demand and 50,000.00 in the time deposit every day of June: average 99,826.55,
    # floor(9.982655 × 10) = 99 (without the time deposit it would be 49).
    (_card, ann_holding) = lots(fb.bank, people.ann)
    assert (ann_holding["kind"], ann_holding["ref"], ann_holding["points"]) == ("holding", "2026-06", 99)
    assert ann_holding["expires_on"] == date(2028, 6, 29)
    # Bob: 999.50 for 15 days, 300,999.50 for the 15 days from the 16th: average 150,999.50 → 150.
    (bob_holding,) = lots(fb.bank, people.bob)
    assert (bob_holding["ref"], bob_holding["points"]) == ("2026-06", 150)
    # Cid: 500.00 earns less than a point.
    assert lots(fb.bank, people.cid) == []
    run_steps(fb.bank, month_end)
    assert len(lots(fb.bank, people.ann)) == 2 and len(lots(fb.bank, people.bob)) == 1
    assert moves(fb.bank, people.bob) == [("earn", 150)]


def test_redemption_takes_the_points_that_expire_first(fresh_bank: FreshBank, people: People) -> None:
    fb = fresh_bank
    ann = customer_actor(fb.bank, people.ann)
    before = balance(fb, people.ann_account)
    done = fb.bank.run(
        points.redeem, ann, RedemptionCreate(points=200, account_number=people.ann_account), "redeem-ann-1"
    )
    assert (done.points, done.cash_value, done.balance) == (200, "2.00", 72)
    assert [lot["remaining"] for lot in lots(fb.bank, people.ann)] == [0, 72]  # card lot (older) first
    assert balance(fb, people.ann_account) == before + Decimal("2.00")
    entry = fb.bank.run(ledger.get_entry, done.entry_id, readonly=True)
    assert entry.kind == points.REDEEM_KIND
    legs = {(ln.gl_code, ln.amount) for ln in entry.lines}
    assert (chart.OPERATING_EXPENSE, 200) in legs  # Dr 6601 2.00
    assert any(ln.amount == -200 and ln.account_id is not None for ln in entry.lines)  # Cr Ann's account
    # The same key again: the first answer, nothing posted twice.
    again = fb.bank.run(
        points.redeem, ann, RedemptionCreate(points=200, account_number=people.ann_account), "redeem-ann-1"
    )
    assert again.entry_id == done.entry_id
    assert moves(fb.bank, people.ann) == [("earn", 173), ("earn", 99), ("redeem", -200)]

    state = ledger_state(fb.bank)
    with pytest.raises(CoreBankError) as refused:
        fb.bank.run(points.redeem, ann, RedemptionCreate(points=73, account_number=people.ann_account), "r-2")
    assert refused.value.code == "POINTS_INSUFFICIENT" and refused.value.extra["available"] == 72
    with pytest.raises(CoreBankError) as theirs:
        fb.bank.run(points.redeem, ann, RedemptionCreate(points=10, account_number=people.bob_account), "r-3")
    assert (theirs.value.code, theirs.value.status) == ("NOT_FOUND", 404)
    # Redemption closed on the internet channel: refused at once, nothing changes; open again, it works.
    fb.bank.run(registry.close_channel, SYSTEM, "internet", "points_redeem", "points audit")
    state = ledger_state(fb.bank)
    with pytest.raises(CoreBankError) as closed:
        fb.bank.run(points.redeem, ann, RedemptionCreate(points=1, account_number=people.ann_account), "r-4")
    assert (closed.value.code, closed.value.status) == ("CHANNEL_TX_CLOSED", 503)
    assert ledger_state(fb.bank) == state
    assert [lot["remaining"] for lot in lots(fb.bank, people.ann)] == [0, 72]
    fb.bank.run(registry.open_channel, SYSTEM, "internet", "points_redeem")


def test_points_expire_at_the_end_of_their_last_day(fresh_bank: FreshBank, people: People) -> None:
    fb = fresh_bank
    expire = points_jobs.EOD_STEPS[:1]
    assert expire[0].name == "channels.expire_points"
    fb.move_to(date(2028, 6, 28))
    run_steps(fb.bank, date(2028, 6, 28), expire)
    view = fb.bank.run(points.my_points, customer_actor(fb.bank, people.ann), readonly=True)
    assert view.balance == 72
    assert [(e.expires_on, e.points) for e in view.expiring_soon] == [(date(2028, 6, 29), 72)]

    fb.move_to(date(2028, 6, 29))
    run_steps(fb.bank, date(2028, 6, 29), expire)
    assert [lot["remaining"] for lot in lots(fb.bank, people.ann)] == [0, 0]
    assert moves(fb.bank, people.ann)[-1] == ("expire", -72)  # only what was left of the lot
    assert moves(fb.bank, people.bob) == [("earn", 150), ("expire", -150)]
    run_steps(fb.bank, date(2028, 6, 29), expire)
    assert len(moves(fb.bank, people.bob)) == 2
    assert fb.bank.run(points.my_points, customer_actor(fb.bank, people.bob), readonly=True).balance == 0
