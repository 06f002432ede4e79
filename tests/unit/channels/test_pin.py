"""ISO 9564 format-0 PIN blocks under a terminal's TDES key: a vector worked by hand, and round trips."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from corebank.channels.card_errors import PinBlockInvalid
from corebank.channels.pin import decrypt_pin, encrypt_pin_block, pin_block

KEY_2 = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
KEY_3 = bytes.fromhex("0123456789ABCDEFFEDCBA987654321089ABCDEF01234567")


def test_clear_block_of_pin_1234_for_pan_4111111111111111():
    # PIN field 04 1234 FFFFFFFFFF; PAN field 0000 + 111111111111 (the 12 digits before the check digit).
    # 041234FFFFFFFFFF XOR 0000111111111111 = 041225EEEEEEEEEE.
    assert pin_block("1234", "4111111111111111").hex().upper() == "041225EEEEEEEEEE"


def test_clear_block_of_a_six_digit_pin_on_a_19_digit_pan():
    # PIN field 06 123987 FFFFFFFF; PAN 6217889876543210986: the 12 digits before the check digit 6 are
    # 987654321098. 06123987FFFFFFFF XOR 0000987654321098 = 0612A1F1ABCDEF67.
    assert pin_block("123987", "6217889876543210986").hex().upper() == "0612A1F1ABCDEF67"


def test_encrypted_block_matches_openssl_des_ede3():
    # Checked with: printf 041225EEEEEEEEEE | xxd -r -p | openssl enc -des-ede3 -nopad
    #   -K 0123456789ABCDEFFEDCBA98765432100123456789ABCDEF  (the double-length key as K1 K2 K1)
    assert encrypt_pin_block("1234", "4111111111111111", KEY_2) == "2A3D408A1977DDE9"
    assert decrypt_pin("2A3D408A1977DDE9", "4111111111111111", KEY_2) == "1234"
    assert decrypt_pin("2a3d408a1977dde9", "4111111111111111", KEY_2) == "1234"


def test_a_double_length_key_equals_its_triple_length_spelling():
    k3 = KEY_2 + KEY_2[:8]
    assert encrypt_pin_block("837461", "6217880000000000017", KEY_2) == encrypt_pin_block(
        "837461", "6217880000000000017", k3
    )


@pytest.mark.parametrize(
    "block, pan, key",
    [
        ("2A3D408A1977DDE9", "4111111111111111", KEY_3),  # another key
        ("2A3D408A1977DD", "4111111111111111", KEY_2),  # truncated
        ("ZZ3D408A1977DDE9", "4111111111111111", KEY_2),  # not hex
        ("2A3D408A1977DDE9", "41111111111", KEY_2),  # PAN too short
        ("2A3D408A1977DDE9", "4111111111111111", KEY_2[:8]),  # single DES
    ],
)
def test_a_block_that_does_not_open_is_refused(block, pan, key):
    with pytest.raises(PinBlockInvalid):
        decrypt_pin(block, pan, key)


def test_a_block_for_another_card_does_not_give_the_pin():
    block = encrypt_pin_block("1234", "4111111111111111", KEY_2)
    with contextlib.suppress(PinBlockInvalid):
        assert decrypt_pin(block, "6217880000000000017", KEY_2) != "1234"


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", ""])
def test_pins_outside_4_to_12_digits_are_refused(pin):
    with pytest.raises(PinBlockInvalid):
        pin_block(pin, "4111111111111111")


pans = st.integers(min_value=12, max_value=18).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n).map(lambda d: d + luhn.calc_check_digit(d))
)


@given(
    pin=st.text("0123456789", min_size=4, max_size=12),
    pan=pans,
    key=st.one_of(st.binary(min_size=16, max_size=16), st.binary(min_size=24, max_size=24)),
)
def test_round_trip(pin, pan, key):
    block = encrypt_pin_block(pin, pan, key)
    assert len(block) == 16 and block == block.upper()
    assert decrypt_pin(block, pan, key) == pin


@given(pin=st.text("0123456789", min_size=4, max_size=12), pan=pans)
def test_clear_block_layout(pin, pan):
    field = bytes(
        a ^ b for a, b in zip(pin_block(pin, pan), bytes.fromhex("0000" + pan[:-1][-12:]), strict=True)
    )
    text = field.hex().upper()
    assert text == f"0{len(pin):X}{pin}".ljust(16, "F")
