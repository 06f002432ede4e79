"""Interbank rules, pure: which system carries a payment (HVPS 大额 or BEPS 小额), its value date, the
clearing identifiers, and the bank's wall time. No database here, so each rule is tested on its own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal

HVPS = "HVPS"
BEPS = "BEPS"
MAX_ID = 35
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_BANK_CODE = re.compile(r"^\d{12}$")


def parse_hhmm(text: str) -> time:
    """ "HH:MM" (24-hour) as a time; a bad setting fails loudly rather than routing payments wrongly."""
    m = _HHMM.match(text.strip())
    if m is None:
        raise ValueError(f"expected HH:MM, got {text!r}")
    return time(int(m.group(1)), int(m.group(2)))


def bank_zone(name: str) -> tzinfo:
    """The bank's time zone by IANA name; UTC+8 (China Standard Time) when the system has no zone data."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:
        return timezone(timedelta(hours=8))


def local_time(now: datetime, zone: tzinfo) -> time:
    """The wall time of the UTC instant `now` in the bank's zone (naive `now` is taken as UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(zone).time().replace(tzinfo=None)


def is_bank_code(code: str) -> bool:
    """True for a 12-digit CNAPS participant code."""
    return bool(_BANK_CODE.match(code))


def hvps_open(wall: time, working_day: bool, opens: time, closes: time) -> bool:
    """HVPS takes payments on working days from `opens` up to (not including) `closes`."""
    return working_day and opens <= wall < closes


@dataclass(frozen=True, slots=True)
class Route:
    system: str  # HVPS | BEPS
    value_date: date


def route(
    *,
    amount: Decimal,
    urgent: bool,
    beps_limit: Decimal,
    business_date: date,
    next_working_day: date,
    today_is_working: bool,
    wall: time,
    opens: time,
    closes: time,
    cutoff: time,
) -> Route:
    """Choose the system and value date of a new outbound payment.

    HVPS when the customer asks for it (urgent) or the amount is above the BEPS single limit, BEPS otherwise.
    After the cut-off the payment is value-dated the next working day (`next_working_day` is the first
    working day after the business date). HVPS only runs on working days within its hours: outside them a
    payment BEPS can carry (within its limit) goes BEPS today, and one only HVPS can carry waits for the next
    working day."""
    hvps_only = amount > beps_limit
    wants_hvps = urgent or hvps_only
    if wall > cutoff:
        return Route(HVPS if wants_hvps else BEPS, next_working_day)
    if not wants_hvps:
        return Route(BEPS, business_date)
    if hvps_open(wall, today_is_working, opens, closes):
        return Route(HVPS, business_date)
    if not hvps_only:
        return Route(BEPS, business_date)
    return Route(HVPS, next_working_day if not today_is_working or wall >= closes else business_date)


def clearing_id(bank_code: str, day: date, kind: str, seq: int) -> str:
    """A clearing identifier unique across banks and days: bank code + yyyymmdd + kind letter + sequence
    (T transaction, M message, R return), 31 characters."""
    ident = f"{bank_code}{day:%Y%m%d}{kind}{seq:010d}"
    if len(ident) > MAX_ID:
        raise ValueError(f"identifier {ident!r} is longer than {MAX_ID}")
    return ident


def normalise_name(name: str) -> str:
    """A holder name for comparison: case-folded, full-width forms folded to ASCII, with spaces and the
    punctuation people type differently (dots, commas, hyphens, brackets) removed."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def names_match(given: str, holder: str) -> bool:
    """True when the creditor name in a payment is the account holder's name, after normalisation."""
    return normalise_name(given) == normalise_name(holder) and bool(normalise_name(holder))
