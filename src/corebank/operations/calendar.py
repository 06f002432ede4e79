"""The business calendar: which days are working days (工作日) and which are holidays, per year.

The bank books every calendar day (branches and e-channels open at weekends); the calendar decides value
dates: clearing and payouts that need a working day move to the next one. A day with no row falls back to
the week: Monday to Friday work, Saturday and Sunday rest.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import delete, insert, select

from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.operations.models import CalendarDay
from corebank.security import Actor, P


def is_working_day(uow: UnitOfWork, day: date) -> bool:
    """True when `day` is a working day by the loaded calendar (weekday rule where a day is not loaded)."""
    row = uow.session.execute(select(CalendarDay.working).where(CalendarDay.day == day)).scalar()
    return bool(row) if row is not None else day.weekday() < 5


def next_working_day(uow: UnitOfWork, day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it (value-date rule)."""
    for _ in range(60):
        if is_working_day(uow, day):
            return day
        day += timedelta(days=1)
    raise InvalidRequest(f"no working day in the 60 days from {day}: check the calendar")


def previous_working_day(uow: UnitOfWork, day: date) -> date:
    """`day` itself when it is a working day, else the last working day before it."""
    for _ in range(60):
        if is_working_day(uow, day):
            return day
        day -= timedelta(days=1)
    raise InvalidRequest(f"no working day in the 60 days before {day}: check the calendar")


HOLIDAY_RULES = ("none", "next_working_day", "previous_working_day")


def adjust_for_holiday(uow: UnitOfWork, day: date, rule: str) -> date:
    """A date moved by a holiday convention: "none" keeps it, "next_working_day" moves a non-working day
    forward to the next working day, "previous_working_day" back to the last one."""
    if rule == "none":
        return day
    if rule == "next_working_day":
        return next_working_day(uow, day)
    if rule == "previous_working_day":
        return previous_working_day(uow, day)
    raise InvalidRequest(f"unknown holiday rule {rule!r}; the rules are {', '.join(HOLIDAY_RULES)}")


def parse_calendar(text: str) -> list[tuple[date, bool, str]]:
    """Rows `date,working|holiday[,name]` (a header line is allowed) -> (day, working, name). Refuses the
    whole file on the first bad line, naming it."""
    out: list[tuple[date, bool, str]] = []
    seen: set[date] = set()
    for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
            continue
        if n == 1 and row[0].strip().lower() in ("date", "day"):
            continue
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError:
            raise InvalidRequest(f"line {n}: {row[0]!r} is not a date (YYYY-MM-DD)") from None
        kind = (row[1].strip().lower() if len(row) > 1 else "holiday") or "holiday"
        if kind not in ("working", "holiday"):
            raise InvalidRequest(f"line {n}: the kind must be 'working' or 'holiday', not {kind!r}")
        if day in seen:
            raise InvalidRequest(f"line {n}: {day} appears twice")
        seen.add(day)
        out.append((day, kind == "working", (row[2].strip() if len(row) > 2 else "")[:60]))
    if not out:
        raise InvalidRequest("the calendar file has no days")
    return out


def load_calendar(uow: UnitOfWork, actor: Actor, text: str) -> dict[str, int]:
    """Load holidays and make-up working days (调休) from CSV text; replaces the years it covers."""
    actor.require(P.CALENDAR_WRITE)
    rows = parse_calendar(text)
    years = sorted({d.year for d, _w, _n in rows})
    for y in years:
        uow.conn.execute(
            delete(CalendarDay).where(CalendarDay.day >= date(y, 1, 1), CalendarDay.day <= date(y, 12, 31))
        )
    uow.conn.execute(
        insert(CalendarDay),
        [{"day": d, "working": w, "name": n, "loaded_by": actor.username} for d, w, n in rows],
    )
    uow.audit(actor, "calendar.load", "calendar", ",".join(map(str, years)), days=len(rows))
    return {"days": len(rows), "years": len(years)}


def list_calendar(uow: UnitOfWork, actor: Actor, year: int) -> list[dict[str, object]]:
    """Every day of `year` that differs from the weekday rule or was loaded, in date order."""
    actor.require(P.PRODUCT_READ)
    rows = uow.session.execute(
        select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    ).scalars()
    return [{"date": r.day, "working": r.working, "name": r.name} for r in rows]
