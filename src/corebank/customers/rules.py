"""Identity rules (pure): resident ID (GB 11643-1999), unified social credit code (GB 32100-2015), phones."""

from __future__ import annotations

import re
from datetime import date

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

ID_TYPES = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit", "uscc")
INDIVIDUAL_ID_TYPES = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit")
CORPORATE_ID_TYPES = ("uscc",)

_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
_HK_MACAO = re.compile(r"^[HM]\d{8,10}$")
_TAIWAN = re.compile(r"^\d{8}$|^T\d{8}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE = re.compile(r"^\+?[0-9][0-9-]{6,19}$")


def normalize_id(id_type: str, id_number: str) -> str:
    """Upper-case and strip spaces, so the same document always finds the same customer."""
    return re.sub(r"\s+", "", id_number).upper()


def id_problem(id_type: str, id_number: str) -> str | None:
    """Why an ID number is not valid for its type, or None when it is."""
    n = normalize_id(id_type, id_number)
    if id_type == "resident_id":
        try:
            ric.validate(n)
        except ValidationError as e:
            return f"not a valid resident ID number ({e})"
        return None
    if id_type == "uscc":
        try:
            uscc.validate(n)
        except ValidationError as e:
            return f"not a valid unified social credit code ({e})"
        return None
    if id_type == "passport":
        return None if _PASSPORT.match(n) else "a passport number is 5 to 17 letters and digits"
    if id_type == "hk_macao_permit":
        return None if _HK_MACAO.match(n) else "a Hong Kong/Macao permit is H or M followed by 8 to 10 digits"
    if id_type == "taiwan_permit":
        return None if _TAIWAN.match(n) else "a Taiwan permit is 8 digits, optionally after T"
    return f"unknown ID type {id_type!r}; use one of {', '.join(ID_TYPES)}"


def birth_date_and_gender(id_number: str) -> tuple[date, str]:
    """Birth date and gender (odd sequence digit = male) encoded in a valid resident ID."""
    n = normalize_id("resident_id", id_number)
    return ric.get_birth_date(n), ("male" if int(n[16]) % 2 else "female")


def phone_problem(phone: str) -> str | None:
    """Why a phone number is not acceptable, or None."""
    p = phone.replace(" ", "")
    if _MOBILE.match(p) or _PHONE.match(p):
        return None
    return "a phone number is a mainland mobile (11 digits starting 1) or a number with area code"


def make_resident_id(region: str, birth: date, sequence: int) -> str:
    """A well-formed resident ID for synthetic data: region (6 digits), birth date, sequence, check digit."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_uscc(body17: str) -> str:
    """A well-formed unified social credit code from its first 17 characters (for synthetic data)."""
    return body17 + uscc.calc_check_digit(body17)
