"""ISO 8583 as the switch speaks it: pyiso8583's `default_ascii` spec, a 2-byte big-endian length before each
message, and the few composite fields (54 balances, 90 original data, 7 transmission time).

Fields used (DOMAIN.md "ATM and POS: ISO 8583"): 2 PAN, 3 processing code, 4 amount (12 digits, minor units),
7 transmission date and time (MMDDhhmmss, UTC), 11 STAN, 37 retrieval reference number, 38 authorization id,
39 response code, 41 terminal id, 49 currency (156 = CNY), 52 PIN block (16 hex), 54 balances, 70 network
management code, 90 original data elements (reversals). A transfer names its payee in field 103, "account
identification 2" (the account number in this bank, up to 28 characters): `default_ascii` has no field
dedicated to a payee, and 103 is the one acquirers use for the "to" account.
"""

from __future__ import annotations

import copy
import struct
from datetime import date, datetime
from typing import Any

import iso8583
import iso8583.specs

SPEC: dict[str, Any] = copy.deepcopy(iso8583.specs.default_ascii)
MAX_FRAME = 4096  # longest message the switch reads; a longer length prefix is a broken frame

# Response codes (field 39), DOMAIN.md's list plus 25 for a reversal whose original is not found.
APPROVED = "00"
DO_NOT_HONOUR = "05"
INVALID_TRANSACTION = "12"
INVALID_AMOUNT = "13"
INVALID_CARD = "14"
UNABLE_TO_LOCATE = "25"  # ISO 8583: "unable to locate record on file" (a reversal of nothing)
LOST_CARD = "41"
INSUFFICIENT_FUNDS = "51"
EXPIRED_CARD = "54"
WRONG_PIN = "55"
NOT_PERMITTED = "57"
OVER_LIMIT = "61"
PIN_TRIES_EXCEEDED = "75"
ISSUER_INOPERATIVE = "91"
DUPLICATE = "94"
SYSTEM_MALFUNCTION = "96"

# Processing code (field 3) first two digits: the transaction.
WITHDRAWAL, PURCHASE, BALANCE_INQUIRY, TRANSFER = "01", "00", "31", "40"
# Network management codes (field 70).
SIGN_ON, SIGN_OFF, ECHO = "001", "002", "301"

# ISO 4217 numeric codes of the currencies the switch handles.
NUMERIC_CURRENCY = {"CNY": "156"}
CURRENCY_OF_NUMERIC = {v: k for k, v in NUMERIC_CURRENCY.items()}

# The request fields echoed in every answer (when the request had them).
ECHOED = ("2", "3", "4", "7", "11", "12", "13", "37", "41", "49", "90", "103")


class FrameError(ValueError):
    """The bytes are not an ISO 8583 message the switch can read; `fields` holds what was decoded before the
    fault (the MTI, the STAN, the terminal ...), so the answer can still name the request."""

    def __init__(self, reason: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.fields = fields or {}


def decode(raw: bytes) -> dict[str, str]:
    """The fields of one message (without its length prefix), by field number as text ("t" is the MTI)."""
    try:
        fields, _ = iso8583.decode(bytearray(raw), SPEC)
    except iso8583.DecodeError as exc:
        partial = {
            k: v
            for k, v in exc.doc_dec.items()
            if isinstance(v, str) and v and k not in (exc.field, "p", "1")
        }
        raise FrameError(f"field {exc.field}: {exc.msg}", partial) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise FrameError(str(exc)) from None
    return {k: v for k, v in fields.items() if k not in ("p", "1", "h")}


def encode(fields: dict[str, str]) -> bytes:
    """One message with its 2-byte big-endian length prefix, ready to write."""
    body, _ = iso8583.encode(dict(fields), SPEC)
    return struct.pack(">H", len(body)) + bytes(body)


def response_mti(mti: str) -> str:
    """The answer's MTI for a request's (0200 -> 0210, 0420 -> 0430, 0800 -> 0810)."""
    if len(mti) == 4 and mti.isdigit() and mti[2] in "02468":
        return f"{mti[:2]}{int(mti[2]) + 1}{mti[3]}"
    return "0810" if mti[:2] == "08" else "0210"


def answer_to(request: dict[str, str], code: str, **extra: str) -> dict[str, str]:
    """The answer to `request`: its MTI + 10, the echoed fields, response code `code` and `extra` fields."""
    out = {"t": response_mti(request.get("t", ""))}
    for f in ECHOED:
        if f in request and _fits(f, request[f]):
            out[f] = request[f]
    out["39"] = code
    out.update(extra)
    return out


def _fits(field: str, value: str) -> bool:
    spec = SPEC[field]
    if spec["len_type"] == 0:
        return len(value) == spec["max_len"]
    return len(value) <= spec["max_len"]


def transmission_date(field7: str | None, now: datetime, fallback: date | None) -> date | None:
    """The day of field 7 (MMDDhhmmss): the year is the one that puts it nearest `now` (a message sent on
    31 December arrives on 1 January). `fallback` (the business date) when the field is absent or invalid."""
    if not field7 or len(field7) != 10 or not field7.isdigit():
        return fallback
    month, day = int(field7[:2]), int(field7[2:4])
    best: date | None = None
    for year in (now.year - 1, now.year, now.year + 1):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((d - now.date()).days) < abs((best - now.date()).days):
            best = d
    return best or fallback


def transmission_time(now: datetime) -> str:
    """Field 7 for `now` (UTC): MMDDhhmmss."""
    return now.strftime("%m%d%H%M%S")


def balance_group(account_type: str, amount_type: str, currency: str, minor: int) -> str:
    """One 20-character group of field 54: account type (2), amount type (2: 01 ledger, 02 available),
    currency (3, numeric), C or D (credit or debit balance), amount (12 digits, minor units)."""
    sign = "C" if minor >= 0 else "D"
    return f"{account_type[:2]:0>2}{amount_type}{NUMERIC_CURRENCY.get(currency, currency)}{sign}{abs(minor):012d}"


def parse_balances(field54: str) -> list[tuple[str, str, str, int]]:
    """Field 54 back into (account type, amount type, currency, signed minor units) groups."""
    out = []
    for i in range(0, len(field54) - 19, 20):
        g = field54[i : i + 20]
        minor = int(g[8:20])
        out.append((g[0:2], g[2:4], g[4:7], -minor if g[7] == "D" else minor))
    return out


def original_data(mti: str, stan: str, field7: str, acquirer: str = "", forwarder: str = "") -> str:
    """Field 90 of a reversal: original MTI (4) + STAN (6) + transmission time (10) + acquiring institution
    (11) + forwarding institution (11), the two last zero-padded."""
    return f"{mti:0>4}{stan:0>6}{field7:0>10}{acquirer:0>11}{forwarder:0>11}"


def parse_original_data(field90: str) -> tuple[str, str, str]:
    """(original MTI, STAN, transmission time) from field 90; ValueError when it is not 42 digits."""
    if len(field90) != 42 or not field90.isdigit():
        raise ValueError("field 90 is 42 digits")
    return field90[0:4], field90[4:10], field90[10:20]


def mask_pan(pan: str) -> str:
    """The PAN as logs may show it: the first six and last four digits."""
    if len(pan) < 11:
        return "*" * len(pan)
    return pan[:6] + "*" * (len(pan) - 10) + pan[-4:]
