"""End-of-day steps of the interbank work.

Nothing posts here: an outbound payment's money moved into clearing suspense when it was created, and the
clearing link moves it on as clearing answers. What end of day does is keep value dates true: a payment still
unsent when its value date closes (clearing was down, HVPS shut before it went) is re-dated to the next
date it can settle on: tomorrow for BEPS (7x24), the next working day for HVPS. A payment already handed
to clearing keeps its date: its message is sent again unchanged until clearing answers it.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from corebank.db.batch import BatchStep
from corebank.db.uow import UnitOfWork
from corebank.operations import calendar
from corebank.payments import interbank_rules as rules
from corebank.payments.interbank import ib


def carry_over_unsent(uow: UnitOfWork, closing: date) -> int:
    """Re-date created, unsent outbound payments value-dated on or before `closing`; returns rows moved."""
    moved = 0
    tomorrow = closing + timedelta(days=1)
    for system, new_date in (
        (rules.BEPS, tomorrow),
        (rules.HVPS, calendar.next_working_day(uow, tomorrow)),
    ):
        done = uow.conn.execute(
            update(ib)
            .where(
                ib.c.direction == "out",
                ib.c.status == "created",
                ib.c.msg_id.is_(None),
                ib.c.system == system,
                ib.c.value_date <= closing,
            )
            .values(value_date=new_date, updated_at=uow.now)
        )
        moved += done.rowcount or 0
    if moved:
        uow.audit("system", "interbank.carry_over", "business_date", closing.isoformat(), payments=moved)
    return moved


EOD_STEPS: tuple[BatchStep, ...] = (
    BatchStep(
        "payments.interbank_carry_over",
        "Re-date interbank payments not yet sent",
        run=carry_over_unsent,
    ),
)
