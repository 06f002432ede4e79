"""Interbank payments end to end with the clearing house simulator in-process: send, settle, reject, return,
and credits from another bank, each with its postings and clearing suspense back to zero."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from corebank import accounts, iso20022
from corebank.bootstrap import Bank
from corebank.iso20022 import CreditTransfer, Pacs004, Pacs008, Party, PaymentReturn
from corebank.ledger import chart
from corebank.payments import clearing_link, interbank, interbank_jobs
from corebank.payments.interbank_schemas import InterbankCreate, InterbankRead
from tests.factories import Staff, funded_account, new_account
from tests.integration.conftest import FreshBank
from tests.integration.payments.interbank_support import (
    OTHER_BANK,
    FixedClock,
    Simulator,
    balance,
    central_bank,
    gl_total,
    join,
    other_bank_sends,
    row,
    simulator,
    suspense,
)

OTHER_TOKEN = "other-bank-token-1"
MORNING = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai on FRESH_START, a Monday
TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def bank(fresh_bank: FreshBank) -> Bank:
    """A bank of this module's own, so that no other test's payments go to clearing with these."""
    return fresh_bank.bank


@pytest.fixture(scope="module")
def staff(fresh_bank: FreshBank) -> dict[str, SimpleNamespace]:
    return {"teller": SimpleNamespace(actor=fresh_bank.teller)}


@pytest.fixture(scope="module")
def sim(bank: Bank, tmp_path_factory: pytest.TempPathFactory) -> Simulator:
    s = simulator(Path(tmp_path_factory.mktemp("clearing")))
    join(s, bank, "bank")
    s.router.add("other", None)
    s.house.add_participant(OTHER_BANK, "Other Bank", "http://other", OTHER_TOKEN, "100000000.00")
    return s


@pytest.fixture(autouse=True)
def morning(bank: Bank, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bank.uow, "clock", FixedClock(MORNING))


def pay(bank: Bank, staff: Staff, payer: str, amount: str, key: str, **kw: object) -> InterbankRead:
    cmd = InterbankCreate(
        from_account=payer,
        creditor_bank_code=str(kw.pop("bank_code", OTHER_BANK)),
        creditor_account=str(kw.pop("account", "6222000011112222")),
        creditor_name="Li Na",
        amount=amount,
        **kw,  # type: ignore[arg-type]
    )
    return bank.run(interbank.send_interbank, staff["teller"].actor, cmd, key)  # type: ignore[no-any-return]


def send(bank: Bank, sim: Simulator) -> clearing_link.SendCounts:
    return clearing_link.send_pending(bank, sim.client)


def test_urgent_payment_settles_gross_at_once(bank: Bank, staff: Staff, sim: Simulator) -> None:
    payer = funded_account(bank, staff["teller"].actor, "100000.00")
    ours = bank.settings.bank_code
    s0, cb0, at0, other0 = suspense(bank), central_bank(bank), sim.balance(ours), sim.balance(OTHER_BANK)
    paid = pay(bank, staff, payer.number, "60000.00", "ibc-hvps-1")
    assert (paid.system, paid.fee) == ("HVPS", "10.00")
    counts = send(bank, sim)
    assert (counts.sent, counts.settled) == (1, 1)
    r = row(bank, paid.payment_id)
    assert (r.status, r.msg_id is not None) == ("settled", True)
    assert suspense(bank) == s0 and central_bank(bank) - cb0 == -6000000
    assert sim.balance(ours) == at0 - Decimal("60000.00")
    assert sim.balance(OTHER_BANK) == other0 + Decimal("60000.00")
    assert balance(bank, payer.number) == "39990.00"
    sim.house.deliver_pending()
    delivered = iso20022.parse_pacs008(sim.router.received["other"][-1])
    assert [t.tx_id for t in delivered.transactions] == [paid.tx_id]
    assert send(bank, sim).messages == 0  # nothing left to send


def test_bulk_payment_waits_for_netting_then_settles(bank: Bank, staff: Staff, sim: Simulator) -> None:
    payer = funded_account(bank, staff["teller"].actor, "1000.00")
    s0 = suspense(bank)
    paid = pay(bank, staff, payer.number, "100.00", "ibc-beps-1")
    counts = send(bank, sim)
    assert (counts.accepted, counts.settled) == (1, 0)
    assert row(bank, paid.payment_id).status == "sent"
    assert suspense(bank) == s0 - 10000
    sim.settle_and_deliver()  # the netting's pacs.002 reaches our inbound endpoint
    assert row(bank, paid.payment_id).status == "settled"
    assert suspense(bank) == s0


def test_payment_to_a_bank_clearing_does_not_know_is_rejected_and_refunded(
    bank: Bank, staff: Staff, sim: Simulator
) -> None:
    payer = funded_account(bank, staff["teller"].actor, "500.00")
    s0, cb0 = suspense(bank), central_bank(bank)
    paid = pay(bank, staff, payer.number, "200.00", "ibc-rc01", bank_code="999999999999")
    assert balance(bank, payer.number) == "295.00"
    counts = send(bank, sim)
    assert counts.rejected == 1
    r = row(bank, paid.payment_id)
    assert (r.status, r.reason_code) == ("rejected", "RC01")
    assert balance(bank, payer.number) == "500.00"  # amount and fee back
    assert (suspense(bank), central_bank(bank)) == (s0, cb0)


def test_a_refund_to_an_account_closed_meanwhile_waits_in_2261_and_holds_nothing_else_back(
    bank: Bank, staff: Staff, sim: Simulator
) -> None:
    teller = staff["teller"].actor
    gone = funded_account(bank, teller, "205.00")
    other = funded_account(bank, teller, "500.00")
    s0, held0 = suspense(bank), gl_total(bank, chart.REFUNDS_PENDING)
    lost = pay(bank, staff, gone.number, "200.00", "ibc-gone", bank_code="999999999999")
    fine = pay(bank, staff, other.number, "100.00", "ibc-fine", urgent=True)
    assert balance(bank, gone.number) == "0.00"
    bank.run(accounts.close_account, teller, gone.number, accounts.CloseRequest(), "close-gone")

    counts = send(bank, sim)

    assert (counts.rejected, counts.settled, counts.failed_messages) == (1, 1, 0)
    r = row(bank, lost.payment_id)
    assert (r.status, r.reason_code) == ("rejected", "RC01")
    assert f"refund held in 2261: account {gone.number} is closed" in r.reason_text
    assert gl_total(bank, chart.REFUNDS_PENDING) - held0 == -20_500  # amount and fee, owed to the customer
    assert row(bank, fine.payment_id).status == "settled"
    assert suspense(bank) == s0


def test_settled_payment_returned_by_the_receiving_bank_is_refunded(
    bank: Bank, staff: Staff, sim: Simulator
) -> None:
    payer = funded_account(bank, staff["teller"].actor, "1000.00")
    s0, cb0 = suspense(bank), central_bank(bank)
    paid = pay(bank, staff, payer.number, "300.00", "ibc-ret-1", urgent=True)
    send(bank, sim)
    assert row(bank, paid.payment_id).status == "settled"
    ours = bank.settings.bank_code
    answer = other_bank_sends(
        sim,
        OTHER_BANK,
        OTHER_TOKEN,
        Pacs004(
            msg_id="OTHERRET0001",
            created_at=MORNING,
            settlement_date=TODAY,
            instructing_agent=OTHER_BANK,
            instructed_agent=iso20022.CLEARING_BANK_CODE,
            returns=(
                PaymentReturn(
                    return_id="OTHERRTR0001",
                    original_msg_id=str(row(bank, paid.payment_id).msg_id),
                    original_tx_id=paid.tx_id,
                    original_end_to_end_id=paid.end_to_end_id,
                    amount=Decimal("300.00"),
                    currency="CNY",
                    reason="AC04",
                    debtor=Party(paid.debtor_name, paid.debtor_account, ours),
                    creditor=Party("Li Na", "6222000011112222", OTHER_BANK),
                ),
            ),
        ),
    )
    assert answer.statuses[0].status == "ACSC"
    sim.house.deliver_pending()
    r = row(bank, paid.payment_id)
    assert (r.status, r.reason_code, r.return_id) == ("returned", "AC04", "OTHERRTR0001")
    assert balance(bank, payer.number) == "995.00"  # the amount back; the fee was for a service done
    assert (suspense(bank), central_bank(bank)) == (s0, cb0)


def test_credit_to_an_unknown_account_goes_back_as_a_return(bank: Bank, staff: Staff, sim: Simulator) -> None:
    payee = new_account(bank, staff["teller"].actor)
    ours = bank.settings.bank_code
    s0, cb0, at0 = suspense(bank), central_bank(bank), sim.balance(ours)
    answer = other_bank_sends(
        sim,
        OTHER_BANK,
        OTHER_TOKEN,
        Pacs008(
            msg_id="OTHERMSG0001",
            created_at=MORNING,
            settlement_date=TODAY,
            system="HVPS",
            instructing_agent=OTHER_BANK,
            instructed_agent=iso20022.CLEARING_BANK_CODE,
            transactions=(
                CreditTransfer(
                    "OTHERTX0001",
                    "E1",
                    Decimal("70.00"),
                    "CNY",
                    Party("Zhao", "1", OTHER_BANK),
                    Party(payee.name, payee.number, ours),
                ),
                CreditTransfer(
                    "OTHERTX0002",
                    "E2",
                    Decimal("30.00"),
                    "CNY",
                    Party("Zhao", "1", OTHER_BANK),
                    Party("Ghost", "6299999999999999", ours),
                ),
            ),
        ),
    )
    assert [s.status for s in answer.statuses] == ["ACSC", "ACSC"]
    sim.house.deliver_pending()
    assert balance(bank, payee.number) == "70.00"
    assert suspense(bank) == s0 - 3000
    counts = send(bank, sim)
    assert (counts.returns_sent, counts.returns_settled) == (1, 1)
    assert suspense(bank) == s0
    assert central_bank(bank) - cb0 == 7000
    assert sim.balance(ours) == at0 + Decimal("70.00")
    sim.house.deliver_pending()
    returned = iso20022.parse_pacs004(sim.router.received["other"][-1])
    assert [(r.original_tx_id, r.reason) for r in returned.returns] == [("OTHERTX0002", "AC01")]


class Unreachable:
    def post(self, url: str, **_: object) -> object:
        raise ConnectionError("clearing is down")


def test_clearing_down_leaves_the_payment_to_the_next_pass_and_settles_it_once(
    bank: Bank, staff: Staff, sim: Simulator
) -> None:
    payer = funded_account(bank, staff["teller"].actor, "1000.00")
    s0, at0 = suspense(bank), sim.balance(bank.settings.bank_code)
    paid = pay(bank, staff, payer.number, "400.00", "ibc-down-1", urgent=True)
    down = clearing_link.send_pending(bank, Unreachable())
    assert (down.messages, down.failed_messages) == (1, 1)
    first = row(bank, paid.payment_id)
    assert (first.status, first.msg_id is not None) == ("created", True)
    # The answer to the next attempt is lost too, after clearing settled it: the same message goes again.
    xml = bank.run(clearing_link.claim_outbound)[0].xml
    sim.client.post("/messages", content=xml, headers={"X-Clearing-Token": bank.settings.clearing_token})
    assert send(bank, sim).settled == 1
    again = row(bank, paid.payment_id)
    assert (again.status, again.msg_id) == ("settled", first.msg_id)
    assert sim.balance(bank.settings.bank_code) == at0 - Decimal("400.00")  # settled once
    assert suspense(bank) == s0


def test_end_of_day_re_dates_payments_clearing_never_took(bank: Bank, staff: Staff, sim: Simulator) -> None:
    payer = funded_account(bank, staff["teller"].actor, "200000.00")
    small = pay(bank, staff, payer.number, "10.00", "ibc-eod-1")
    large = pay(bank, staff, payer.number, "80000.00", "ibc-eod-2")
    assert bank.run(interbank_jobs.carry_over_unsent, TODAY) == 2
    assert row(bank, small.payment_id).value_date == date(2026, 6, 2)
    assert row(bank, large.payment_id).value_date == date(2026, 6, 2)  # Tuesday, a working day
    assert bank.run(interbank_jobs.carry_over_unsent, TODAY) == 0
