"""End of day credits the ATM transfers whose delay has passed, a chunk at a time as one entry; a payee that
can no longer receive gets nothing and the payer gets the money back. Plus the ISO 8583 field helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from corebank import accounts, ledger
from corebank.channels import cards, pin, terminals
from corebank.channels.atm import iso, switch, transfers
from corebank.channels.atm.models import AtmTransfer
from corebank.channels.card_schemas import CardIssue
from corebank.channels.terminal_schemas import TerminalCreate
from corebank.db.uow import UnitOfWorkFactory
from corebank.ledger import chart
from corebank.security import SYSTEM
from tests.factories import deposit, new_account
from tests.integration.conftest import FreshBank

KEY_HEX = "0123456789ABCDEFFEDCBA9876543210"
PIN = "482916"


class LaterClock:
    """The wall clock `hours` ahead: the day after the transfers were made."""

    def __init__(self, hours: int) -> None:
        self.hours = hours

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(hours=self.hours)


def _card(fb: FreshBank, balance: str) -> tuple[str, str]:
    acc = new_account(fb.bank, fb.teller)
    deposit(fb.bank, fb.teller, acc.number, balance)
    issued = fb.bank.run(cards.issue_card, fb.teller, CardIssue(account_number=acc.number, pin=PIN))
    fb.bank.run(cards.activate_card, fb.teller, issued.card_id)
    return issued.pan, acc.number


def _transfer(fb: FreshBank, pan: str, payee: str, minor: int, stan: str) -> str:
    fields = {
        "t": "0200",
        "2": pan,
        "3": "401000",
        "4": f"{minor:012d}",
        "11": stan,
        "41": "ATMEOD01",
        "103": payee,
    }
    req = switch.CardRequest(
        terminal_id="ATMEOD01",
        stan=stan,
        field7="",
        tx_type="transfer",
        pan=pan,
        pin_block=pin.encrypt_pin_block(PIN, pan, bytes.fromhex(KEY_HEX)),
        amount=minor,
        currency="CNY",
        account_type="10",
        payee=payee,
        fingerprint=switch.fingerprint(fb.bank.settings.hash_key, fields),
    )
    auth = fb.bank.run(switch.authorize, req)
    assert auth.code == "00"
    return fb.bank.run(switch.book, req, auth)["39"]


def _balance(fb: FreshBank, number: str) -> int:
    def read(uow: Any) -> int:
        aid = accounts.load_for_posting(uow, [number])[number].id
        return ledger.balances(uow, [aid])[aid].balance

    return fb.bank.run(read, readonly=True)


def test_end_of_day_credits_due_transfers_in_one_entry_and_returns_the_unreceivable(
    fresh_bank: FreshBank,
) -> None:
    fb = fresh_bank
    fb.bank.run(
        terminals.add_terminal,
        SYSTEM,
        TerminalCreate(terminal_id="ATMEOD01", kind="atm", branch_code="0001", pin_key=KEY_HEX),
    )
    pan_a, payer_a = _card(fb, "5000.00")
    pan_b, payer_b = _card(fb, "5000.00")
    payee_1 = new_account(fb.bank, fb.teller).number
    payee_east = new_account(fb.bank, fb.east_teller).number
    blocked = new_account(fb.bank, fb.teller).number
    assert _transfer(fb, pan_a, payee_1, 10000, "000001") == "00"
    assert _transfer(fb, pan_b, payee_1, 20000, "000002") == "00"
    assert _transfer(fb, pan_a, payee_east, 30000, "000003") == "00"
    assert _transfer(fb, pan_b, blocked, 40000, "000004") == "00"
    fb.bank.run(
        accounts.set_blocks,
        fb.supervisor,
        blocked,
        accounts.BlockRequest(credit_blocked=True, reason="court order"),
    )
    hi = fb.bank.run(transfers.highest_transfer_id, date.today(), readonly=True)
    # Not due yet today: nothing moves.
    assert fb.bank.run(transfers.credit_due_chunk, fb.business_date(), 0, hi, eod=True) == 0

    later = UnitOfWorkFactory(fb.bank.engine, fb.bank.settings, LaterClock(25))
    assert later.run(transfers.credit_due_chunk, fb.business_date(), 0, hi, eod=True) == 4
    assert _balance(fb, payee_1) == 30000
    assert _balance(fb, payee_east) == 30000
    assert _balance(fb, blocked) == 0
    assert _balance(fb, payer_a) == 500000 - 10000 - 30000
    assert _balance(fb, payer_b) == 500000 - 20000  # the blocked payee's 400.00 came back

    def rows(uow: Any) -> dict[str, tuple[str, int | None]]:
        got = uow.session.execute(select(AtmTransfer).order_by(AtmTransfer.id)).scalars()
        return {r.stan: (r.status, r.credit_entry_id) for r in got}

    got = fb.bank.run(rows, readonly=True)
    assert [got[s][0] for s in ("000001", "000002", "000003", "000004")] == ["credited"] * 3 + ["revoked"]
    assert got["000001"][1] == got["000002"][1]  # one entry for the chunk's bulk credits
    kinds = {fb.bank.run(ledger.get_entry, got[s][1], readonly=True).kind for s in ("000001", "000003")}
    assert kinds == {transfers.CREDIT_KIND}

    def in_2262(uow: Any) -> int:
        return sum(
            b
            for gl, _br, _c, b in ledger.gl_balances(uow, uow.business_date)
            if gl == chart.ATM_TRANSFERS_PENDING
        )

    assert fb.bank.run(in_2262, readonly=True) == 0
    # Running the step again on the same day changes nothing.
    assert later.run(transfers.credit_due_chunk, fb.business_date(), 0, hi, eod=True) == 0
    assert fb.bank.run(ledger.trial_balance, readonly=True).balanced


def test_field_54_and_field_90_round_trip() -> None:
    groups = iso.balance_group("10", "01", "CNY", 123456) + iso.balance_group("10", "02", "CNY", -5)
    assert groups == "1001156C0000001234561002156D000000000005"
    assert iso.parse_balances(groups) == [("10", "01", "156", 123456), ("10", "02", "156", -5)]
    f90 = iso.original_data("0200", "123", "1231235959", "12345")
    assert len(f90) == 42 and iso.parse_original_data(f90) == ("0200", "000123", "1231235959")


def test_the_transmission_date_takes_the_year_nearest_the_clock() -> None:
    new_year = datetime(2027, 1, 1, 0, 0, 5, tzinfo=UTC)
    assert iso.transmission_date("1231235959", new_year, date(2027, 1, 1)) == date(2026, 12, 31)
    assert iso.transmission_date("0101000001", new_year, date(2027, 1, 1)) == date(2027, 1, 1)
    assert iso.transmission_date("1341000000", new_year, date(2027, 1, 1)) == date(
        2027, 1, 1
    )  # no 13th month
    assert iso.transmission_date("", new_year, date(2027, 1, 2)) == date(2027, 1, 2)
