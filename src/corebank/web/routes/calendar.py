"""The business calendar: load a year's holidays and make-up working days (调休), read it back, and ask for
the next working day (the value-date rule)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from corebank.kernel.errors import InvalidRequest
from corebank.operations import calendar
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])
Reader = Annotated[Actor, Depends(requires(P.PRODUCT_READ))]
Writer = Annotated[Actor, Depends(requires(P.CALENDAR_WRITE))]
Year = Annotated[int, Path(ge=1900, le=2200)]
MAX_BODY = 1_000_000

CALENDAR_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "date,kind,name\n2026-01-01,holiday,New Year\n2026-02-14,working,make-up day\n",
            },
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "date": {"type": "string", "format": "date"},
                            "kind": {"type": "string", "enum": ["holiday", "working"]},
                            "name": {"type": "string"},
                        },
                        "required": ["date"],
                    },
                }
            },
        },
    }
}


async def calendar_text(request: Request, _writer: Writer) -> str:
    """The body as calendar CSV text: CSV as sent (text/csv), or a JSON list of {date, kind, name}. Depends
    on the writer so that authentication and the permission come before the body is read."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InvalidRequest("the calendar body is larger than 1 MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRequest("send the calendar as UTF-8 text") from None
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return text
    try:
        items = json.loads(text)
    except ValueError:
        raise InvalidRequest("the body is not JSON") from None
    if not isinstance(items, list):
        raise InvalidRequest("send a JSON list of days: [{date, kind, name}]")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "date" not in item:
            raise InvalidRequest(f"line {n}: each day is an object with a date")
        kind = item.get("kind")
        if kind is None and "working" in item:
            kind = "working" if item["working"] is True else "holiday"
        w.writerow([str(item["date"]), str(kind or "holiday"), str(item.get("name") or "")])
    return out.getvalue()


CalendarText = Annotated[str, Depends(calendar_text)]


@router.get(
    "/next-working-day", summary="The date itself when a working day, else the first working day after"
)
def next_working_day(
    bank: BankDep, actor: Reader, day: Annotated[date, Query(alias="date", description="YYYY-MM-DD")]
) -> dict[str, Any]:
    nwd = bank.run(calendar.next_working_day, day, readonly=True)
    return {"date": day, "working_day": nwd == day, "next_working_day": nwd}


@router.put(
    "/{year}",
    summary="Load a year's holidays and make-up working days (CSV or JSON); replaces that year",
    openapi_extra=CALENDAR_BODY,
)
def load(
    bank: BankDep,
    year: Year,
    actor: Writer,
    text: CalendarText,
) -> dict[str, Any]:
    others = sorted({d.year for d, _w, _n in calendar.parse_calendar(text)} - {year})
    if others:
        raise InvalidRequest(f"the file holds days of {others[0]}; load only {year} here")
    result = bank.run(calendar.load_calendar, actor, text)
    return {"year": year, **result}


@router.get("/{year}", summary="The loaded days of a year (holidays and make-up working days), in date order")
def show(bank: BankDep, year: Year, actor: Reader) -> list[dict[str, Any]]:
    return bank.run(calendar.list_calendar, actor, year, readonly=True)
