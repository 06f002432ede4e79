"""What end of day did: runs and their steps, newest first."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from corebank.db.uow import UnitOfWork
from corebank.eod.models import EodRun, EodStep
from corebank.security import Actor, P


def eod_status(
    uow: UnitOfWork, actor: Actor, day: date | None = None, limit: int = 5
) -> list[dict[str, Any]]:
    """The last `limit` runs (or the run of `day`) with each step's status, cursor, rows and timings."""
    actor.require(P.LEDGER_READ)
    q = select(EodRun).order_by(EodRun.business_date.desc()).limit(limit)
    if day is not None:
        q = select(EodRun).where(EodRun.business_date == day)
    out = []
    for run in uow.session.execute(q).scalars():
        steps = uow.session.execute(
            select(EodStep).where(EodStep.business_date == run.business_date).order_by(EodStep.seq)
        ).scalars()
        out.append(
            {
                "business_date": run.business_date,
                "status": run.status,
                "owner": run.owner,
                "started_by": run.started_by,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "detail": run.detail,
                "steps": [
                    {
                        "name": s.name,
                        "status": s.status,
                        "cursor": s.cursor,
                        "rows": s.rows,
                        "chunks": s.chunks,
                        "started_at": s.started_at,
                        "finished_at": s.finished_at,
                        "seconds": (
                            round((s.finished_at - s.started_at).total_seconds(), 3)
                            if s.started_at and s.finished_at
                            else None
                        ),
                        "detail": s.detail,
                    }
                    for s in steps
                ],
            }
        )
    return out


def business_state(uow: UnitOfWork) -> dict[str, Any]:
    """The business date and whether bookings are open."""
    return {"business_date": uow.business_date, "phase": uow.phase}
