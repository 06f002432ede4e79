"""The clearing house's daily settlement file: its exact CSV layout, reading it line by line with every error
named, and fetching it from the clearing house over HTTP."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import httpx

from corebank.config import Settings
from corebank.iso20022.settlement_file import SETTLEMENT_FILE_HEADER as HEADER
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import Money
from corebank.payments.recon_errors import ReconFileInvalid, SettlementFileUnavailable

MSG_TYPES = ("pacs.008", "pacs.004")
FILE_STATUSES = ("settled", "rejected", "pending")
SIDES = ("debit", "credit")
MAX_ERRORS = 20


class HttpGetter(Protocol):
    """An httpx.Client-like client (a Starlette TestClient of the simulator app in tests)."""

    def get(self, url: str, *, headers: dict[str, str]) -> Any: ...


@dataclass(frozen=True)
class FileLine:
    """One transaction of a settlement file, amount in minor units."""

    line_no: int
    system: str
    batch_id: str
    msg_type: str
    msg_id: str
    tx_id: str
    end_to_end_id: str
    original_tx_id: str
    debtor_bank_code: str
    creditor_bank_code: str
    amount: int
    currency: str
    status: str
    direction: str
    settled_at: str


# ---------------------------------------------------------------- the settlement file


def parse_settlement_file(data: bytes, day: date) -> list[FileLine]:
    """The lines of a settlement file for `day`; RECON_FILE_INVALID (with the first errors) for a wrong header,
    a malformed line, a line of another date or a transaction listed twice."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReconFileInvalid("the settlement file is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != list(HEADER):
        raise ReconFileInvalid(f"the header must be exactly: {','.join(HEADER)}")
    lines: list[FileLine] = []
    errors: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for n, raw in enumerate(reader, start=2):
        if not raw or all(not c.strip() for c in raw):
            continue
        try:
            line = _parse_line(n, [c.strip() for c in raw], day)
        except ValueError as exc:
            errors.append(f"line {n}: {exc}")
        else:
            key = (line.msg_type, line.direction, line.tx_id)
            if key in seen:
                errors.append(f"line {n}: {line.msg_type} {line.direction} {line.tx_id} is listed twice")
            seen.add(key)
            lines.append(line)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise ReconFileInvalid(f"{len(errors)} bad line(s) in the settlement file: {errors[0]}", errors)
    return lines


def _parse_line(n: int, c: list[str], day: date) -> FileLine:
    if len(c) != len(HEADER):
        raise ValueError(f"{len(c)} fields, expected {len(HEADER)}")
    f = dict(zip(HEADER, c, strict=True))
    if f["settlement_date"] != day.isoformat():
        raise ValueError(f"settlement_date {f['settlement_date']!r} is not {day.isoformat()}")
    for name, allowed in (
        ("system", ("HVPS", "BEPS")),
        ("msg_type", MSG_TYPES),
        ("status", FILE_STATUSES),
        ("direction", SIDES),
    ):
        if f[name] not in allowed:
            raise ValueError(f"{name} {f[name]!r} is not one of {', '.join(allowed)}")
    for name in ("msg_id", "tx_id"):
        if not 1 <= len(f[name]) <= 35:
            raise ValueError(f"{name} must be 1 to 35 characters")
    for name in ("batch_id", "end_to_end_id", "original_tx_id"):
        if len(f[name]) > 35:
            raise ValueError(f"{name} is longer than 35 characters")
    if f["msg_type"] == "pacs.004" and not f["original_tx_id"]:
        raise ValueError("a pacs.004 line needs the original_tx_id it returns")
    for name in ("debtor_bank_code", "creditor_bank_code"):
        if not (len(f[name]) == 12 and f[name].isdigit()):
            raise ValueError(f"{name} {f[name]!r} is not a 12-digit bank code")
    cur = f["currency"]
    if not (len(cur) == 3 and cur.isalpha() and cur.isupper()):
        raise ValueError(f"currency {cur!r} is not an ISO 4217 code")
    try:
        money = Money.of(f["amount"], cur)
    except InvalidRequest as exc:
        raise ValueError(exc.detail) from None
    if not money.is_positive():
        raise ValueError(f"amount {f['amount']!r} must be above zero")
    if len(f["settled_at"]) > 40:
        raise ValueError("settled_at is longer than 40 characters")
    return FileLine(
        n,
        f["system"],
        f["batch_id"],
        f["msg_type"],
        f["msg_id"],
        f["tx_id"],
        f["end_to_end_id"],
        f["original_tx_id"],
        f["debtor_bank_code"],
        f["creditor_bank_code"],
        money.to_minor(),
        cur,
        f["status"],
        f["direction"],
        f["settled_at"],
    )


def fetch_settlement_file(settings: Settings, day: date, client: HttpGetter | None = None) -> bytes:
    """GET the bank's settlement file of `day` from the clearing house (X-Clearing-Token); `client` lets a
    test hand in a TestClient of the simulator. SETTLEMENT_FILE_UNAVAILABLE when it cannot be had."""
    url = f"{settings.clearing_url.rstrip('/')}/settlement/{day.isoformat()}"
    headers = {"X-Clearing-Token": settings.clearing_token}
    try:
        if client is not None:
            resp = client.get(url, headers=headers)
        else:
            with httpx.Client(timeout=settings.clearing_timeout_seconds) as own:
                resp = own.get(url, headers=headers)
    except httpx.HTTPError as exc:
        raise SettlementFileUnavailable(f"the clearing house at {settings.clearing_url}: {exc}") from None
    if resp.status_code != 200:
        raise SettlementFileUnavailable(
            f"the clearing house answered {resp.status_code} for {day.isoformat()}: {resp.text[:200]}"
        )
    return resp.content
