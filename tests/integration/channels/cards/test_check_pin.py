"""The switch's PIN check: every answer code, the day's PIN-try lock lifting on the next business day, and
expiry. On a bank of its own, because the business date moves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from stdnum import luhn

from corebank.channels import cards
from corebank.channels.card_schemas import CardIssue
from corebank.channels.pin import encrypt_pin_block
from tests.factories import new_account, new_customer
from tests.integration.conftest import FreshBank

KEY = bytes.fromhex("0123456789ABCDEFFEDCBA987654321089ABCDEF01234567")
PIN = "583920"


def new_card(fb: FreshBank, *, activate: bool = True) -> tuple[int, str]:
    acc = new_account(fb.bank, fb.teller, new_customer(fb.bank, fb.teller).number)
    got = fb.bank.run(cards.issue_card, fb.teller, CardIssue(account_number=acc.number, pin=PIN))
    if activate:
        fb.bank.run(cards.activate_card, fb.teller, got.card_id)
    return got.card_id, got.pan


def check(fb: FreshBank, pan: str, pin: str = PIN, key: bytes = KEY):  # type: ignore[no-untyped-def]
    return fb.bank.run(cards.check_pin, pan, encrypt_pin_block(pin, pan, key), key)


@pytest.fixture(scope="module")
def card(fresh_bank: FreshBank) -> tuple[int, str]:
    return new_card(fresh_bank)


def test_right_pin_answers_00_with_the_card_and_account(fresh_bank, card):
    cid, pan = card
    got = check(fresh_bank, pan)
    assert got.code == "00" and got.ok
    assert got.card_id == cid and got.account_class == 1 and got.account_number
    assert got.pan_masked == cards.mask_pan(pan)
    assert fresh_bank.bank.run(cards.owner_of_pan, pan, readonly=True) == got.customer_id


def test_three_wrong_pins_lock_the_card_until_the_next_business_day(fresh_bank, card):
    fb, (_, pan) = fresh_bank, card
    assert check(fb, pan, "111390").code == "55"
    assert check(fb, pan, "111391").code == "55"
    assert check(fb, pan, "111392").code == "75"  # the third wrong PIN locks the card
    assert check(fb, pan).code == "75"  # and then even the right one is refused today
    assert check(fb, pan, "111393").code == "75"

    fb.move_to(fb.business_date() + timedelta(days=1))
    assert check(fb, pan).code == "00"
    assert check(fb, pan, "111390").code == "55"  # a new day, a new count
    assert check(fb, pan).code == "00"


def test_a_block_that_does_not_open_counts_as_a_wrong_pin(fresh_bank):
    fb = fresh_bank
    _, pan = new_card(fb)
    other_key = bytes.fromhex("FEDCBA98765432100123456789ABCDEF")
    # encrypted under another terminal's key: it does not open under this one
    assert fb.bank.run(cards.check_pin, pan, encrypt_pin_block(PIN, pan, other_key), KEY).code == "55"
    assert fb.bank.run(cards.check_pin, pan, "not-a-block", KEY).code == "55"
    assert fb.bank.run(cards.check_pin, pan, "0" * 16, KEY).code == "75"  # the third: locked


def test_unknown_or_malformed_pans_answer_14(fresh_bank):
    fb = fresh_bank
    unknown = "62178899999999999" + luhn.calc_check_digit("62178899999999999")
    assert check(fb, unknown).code == "14"
    _, pan = new_card(fb)
    bad_luhn = pan[:-1] + str((int(pan[-1]) + 1) % 10)
    assert fb.bank.run(cards.check_pin, bad_luhn, "0" * 16, KEY).code == "14"
    for junk in ("", "62", "abcdefghijklmnop", "6" * 25):
        got = fb.bank.run(cards.check_pin, junk, "0" * 16, KEY)
        assert got.code == "14" and got.card_id is None
    assert fb.bank.run(cards.owner_of_pan, unknown, readonly=True) is None


def test_lost_not_active_and_closed_cards(fresh_bank):
    fb = fresh_bank
    _, issued = new_card(fb, activate=False)
    assert check(fb, issued).code == "57"
    assert fb.bank.run(cards.owner_of_pan, issued, readonly=True) is None

    lost_id, lost = new_card(fb)
    fb.bank.run(cards.report_lost, fb.teller, lost_id)
    assert check(fb, lost).code == "41"

    closed_id, closed = new_card(fb)
    fb.bank.run(cards.close_card, fb.teller, closed_id)
    assert check(fb, closed).code == "57"


def test_an_expired_card_answers_54(fresh_bank, card):
    fb, (cid, pan) = fresh_bank, card
    expiry = fb.bank.run(cards.get_card, fb.teller, cid, readonly=True).expiry
    y, m = map(int, expiry.split("-"))
    fb.move_to(date(y + (m == 12), m % 12 + 1, 1))  # the first day after the month printed on the card
    assert check(fb, pan).code == "54"
    assert fb.bank.run(cards.owner_of_pan, pan, readonly=True) is None
    assert fb.bank.run(cards.get_card, fb.teller, cid, readonly=True).status == "expired"
