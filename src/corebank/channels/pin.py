"""PIN blocks: ISO 9564 format 0 (ANSI X9.8), encrypted under a terminal's TDES PIN key.

The clear block is the PIN field (`0`, the PIN's length, the PIN digits, `F` padding to 16 nibbles) XOR the PAN
field (`0000` and the 12 rightmost PAN digits without the check digit). The terminal encrypts it under its
double- or triple-length TDES key in ECB mode and sends the 16 hex characters in ISO 8583 field 52. Neither the
PIN nor the block is ever stored or logged: the switch decrypts the block, checks the PIN and forgets both.
"""

from __future__ import annotations

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from corebank.channels.card_errors import PinBlockInvalid

BLOCK_BYTES = 8
PIN_MIN, PIN_MAX = 4, 12


def _pan_field(pan: str) -> bytes:
    if not (pan.isdigit() and pan.isascii() and 13 <= len(pan) <= 19):
        raise PinBlockInvalid("the PAN must be 13 to 19 digits")
    return bytes.fromhex("0000" + pan[:-1][-12:])


def _tdes(key: bytes) -> Cipher[modes.ECB]:
    if len(key) == 16:
        # A double-length key is K1 K2 K1: spelt out as three keys, which `cryptography` takes without the
        # deprecation warning it gives two-key TDES.
        key = key + key[:8]
    if len(key) != 24:
        raise PinBlockInvalid("a PIN key is a double- or triple-length TDES key (16 or 24 bytes)")
    # A PIN block is one 8-byte block: ECB is what ISO 9564 prescribes, with no pattern across blocks to leak.
    return Cipher(TripleDES(key), modes.ECB())  # noqa: S305


def pin_block(pin: str, pan: str) -> bytes:
    """The clear ISO 9564 format-0 PIN block (8 bytes) of `pin` (4–12 digits) for `pan`."""
    if not (pin.isdigit() and pin.isascii() and PIN_MIN <= len(pin) <= PIN_MAX):
        raise PinBlockInvalid(f"a PIN is {PIN_MIN} to {PIN_MAX} digits")
    pin_field = bytes.fromhex(f"0{len(pin):X}{pin}".ljust(16, "F"))
    return bytes(a ^ b for a, b in zip(pin_field, _pan_field(pan), strict=True))


def encrypt_pin_block(pin: str, pan: str, key: bytes) -> str:
    """The format-0 PIN block of `pin` for `pan`, encrypted under the TDES `key` (ECB): 16 upper-case hex
    characters, as a terminal puts in ISO 8583 field 52."""
    enc = _tdes(key).encryptor()
    return (enc.update(pin_block(pin, pan)) + enc.finalize()).hex().upper()


def decrypt_pin(pin_block_hex: str, pan: str, key: bytes) -> str:
    """The PIN inside an encrypted format-0 block for `pan`; PinBlockInvalid if the block is not 16 hex
    characters or does not decrypt to a well-formed format-0 block for this PAN under `key`."""
    try:
        raw = bytes.fromhex(pin_block_hex)
    except (ValueError, TypeError):
        raise PinBlockInvalid("the PIN block is not hexadecimal") from None
    if len(raw) != BLOCK_BYTES:
        raise PinBlockInvalid("the PIN block is 16 hex characters")
    dec = _tdes(key).decryptor()
    clear = dec.update(raw) + dec.finalize()
    field = bytes(a ^ b for a, b in zip(clear, _pan_field(pan), strict=True)).hex().upper()
    length = int(field[1], 16)
    digits, pad = field[2 : 2 + length], field[2 + length :]
    # A wrong key or PAN almost always breaks one of these: format nibble 0, a sane length, digits, F padding.
    if field[0] != "0" or not PIN_MIN <= length <= PIN_MAX or not digits.isdigit() or pad != "F" * len(pad):
        raise PinBlockInvalid("the PIN block is not a format-0 block for this card")
    return digits
