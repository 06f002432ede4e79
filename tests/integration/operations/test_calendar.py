"""The business calendar on its own bank (loading a year would change the shared bank's value dates): load the
2026 example, the working-day rules that follow, a bad file refused naming its line, a reload replacing the year."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from corebank.db.models import AuditRecord
from corebank.kernel.errors import CoreBankError
from corebank.operations import calendar
from corebank.security import Actor
from tests.integration.conftest import FreshBank

EXAMPLE = Path(__file__).parents[3] / "examples" / "calendar-2026.csv"


@pytest.fixture(scope="module")
def accountant(fresh_bank: FreshBank) -> Actor:
    return fresh_bank.add_staff("cal_accountant", "accountant", "0001")


def loaded(fresh_bank: FreshBank, actor: Actor, year: int) -> list[tuple[date, bool, str]]:
    rows = fresh_bank.bank.run(calendar.list_calendar, actor, year, readonly=True)
    return [(r["date"], r["working"], r["name"]) for r in rows]


def working(fresh_bank: FreshBank, day: date) -> bool:
    return fresh_bank.bank.run(calendar.is_working_day, day, readonly=True)  # type: ignore[no-any-return]


def next_working(fresh_bank: FreshBank, day: date) -> date:
    return fresh_bank.bank.run(calendar.next_working_day, day, readonly=True)  # type: ignore[no-any-return]


def audit_count(fresh_bank: FreshBank) -> int:
    def read(uow: Any) -> int:
        q = select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "calendar.load")
        return int(uow.session.execute(q).scalar())

    return fresh_bank.bank.run(read, readonly=True)  # type: ignore[no-any-return]


def fails(code: str, fn: Callable[[], object]) -> CoreBankError:
    with pytest.raises(CoreBankError) as info:
        fn()
    assert info.value.code == code, info.value.detail
    return info.value


def test_the_2026_example_loads_and_decides_working_days(fresh_bank: FreshBank, accountant: Actor) -> None:
    result = fresh_bank.bank.run(calendar.load_calendar, accountant, EXAMPLE.read_text(encoding="utf-8"))
    assert result == {"days": 39, "years": 1}
    days = loaded(fresh_bank, accountant, 2026)
    assert len(days) == 39  # 33 holidays (3+9+3+5+3+3+7) and 6 make-up working days
    assert days[0] == (date(2026, 1, 1), False, "元旦 New Year's Day")
    assert (date(2026, 2, 14), True, "春节调休上班 make-up working day") in days
    assert (
        sum(1 for d, w, _n in days if w) == 6
    )  # make-up working days: 4 Jan, 14 and 28 Feb, 9 May, 20 Sep, 10 Oct

    assert not working(fresh_bank, date(2026, 1, 1))  # a Thursday, New Year's Day
    assert working(fresh_bank, date(2026, 1, 4))  # a Sunday worked to make up
    assert working(fresh_bank, date(2026, 2, 14))  # a Saturday worked before the Spring Festival
    assert not working(fresh_bank, date(2026, 2, 16))  # a Monday of the Spring Festival
    assert not working(fresh_bank, date(2026, 3, 7))  # a Saturday nobody loaded: the week decides
    assert working(fresh_bank, date(2026, 3, 9))  # a Monday nobody loaded

    assert next_working(fresh_bank, date(2026, 2, 13)) == date(2026, 2, 13)
    assert next_working(fresh_bank, date(2026, 2, 15)) == date(2026, 2, 24)  # after 15-23 Feb
    assert next_working(fresh_bank, date(2026, 10, 1)) == date(2026, 10, 8)
    assert next_working(fresh_bank, date(2026, 9, 19)) == date(2026, 9, 20)  # Saturday -> working Sunday
    assert audit_count(fresh_bank) == 1


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("date,kind,name\n2026-01-01,holiday,New Year\n2026-13-01,holiday,nonsense\n", "line 3"),
        ("2026-01-01,holiday\n2026-01-02,day off\n", "line 2"),
        ("2026-01-01,holiday\n2026-01-01,working\n", "line 2"),
    ],
)
def test_a_bad_file_is_refused_naming_the_line_and_nothing_changes(
    fresh_bank: FreshBank, accountant: Actor, text: str, line: str
) -> None:
    before = loaded(fresh_bank, accountant, 2026), audit_count(fresh_bank)
    err = fails("INVALID_REQUEST", lambda: fresh_bank.bank.run(calendar.load_calendar, accountant, text))
    assert err.detail.startswith(f"{line}:"), err.detail
    assert (loaded(fresh_bank, accountant, 2026), audit_count(fresh_bank)) == before


def test_an_empty_file_is_refused(fresh_bank: FreshBank, accountant: Actor) -> None:
    fails("INVALID_REQUEST", lambda: fresh_bank.bank.run(calendar.load_calendar, accountant, "date,kind\n"))


def test_a_teller_may_not_load_the_calendar(fresh_bank: FreshBank) -> None:
    fails(
        "PERMISSION_DENIED",
        lambda: fresh_bank.bank.run(calendar.load_calendar, fresh_bank.teller, "2026-01-01,holiday\n"),
    )


def test_a_reload_replaces_the_year_and_leaves_other_years(fresh_bank: FreshBank, accountant: Actor) -> None:
    bank = fresh_bank.bank
    bank.run(calendar.load_calendar, accountant, "2027-01-01,holiday,New Year 2027\n")
    bank.run(calendar.load_calendar, accountant, EXAMPLE.read_text(encoding="utf-8"))
    assert not working(fresh_bank, date(2026, 2, 16))

    bank.run(calendar.load_calendar, accountant, "date,kind,name\n2026-01-01,holiday,New Year only\n")
    assert loaded(fresh_bank, accountant, 2026) == [(date(2026, 1, 1), False, "New Year only")]
    assert working(fresh_bank, date(2026, 2, 16))  # the Spring Festival rows are gone: a plain Monday
    assert not working(fresh_bank, date(2026, 2, 14))  # and a plain Saturday
    assert loaded(fresh_bank, accountant, 2027) == [(date(2027, 1, 1), False, "New Year 2027")]
